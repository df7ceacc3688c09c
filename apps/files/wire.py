"""File metadata in Mattermost's FileInfo shape. The storage path is never included."""

from typing import Any

from apps.files.models import FileInfo


def file_info_to_wire(info: FileInfo) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": info.id,
        "user_id": info.user_id,
        "channel_id": info.channel_id,
        "create_at": info.create_at,
        "update_at": info.update_at,
        "delete_at": info.delete_at,
        "name": info.name,
        "extension": info.extension,
        "size": info.size,
        "mime_type": info.mime_type,
        "mini_preview": None,
        "remote_id": None,
        "archived": False,
    }
    if info.post_id:
        data["post_id"] = info.post_id
    if info.width and info.height:
        data["width"] = info.width
        data["height"] = info.height
    return data


def upload_response_to_wire(infos: list[FileInfo], client_ids: list[str]) -> dict[str, Any]:
    return {"file_infos": [file_info_to_wire(i) for i in infos], "client_ids": client_ids}
