"""OpenAPI components of the files API (documentation only; see apps/files/wire.py)."""

from rest_framework import serializers


class FileInfoSerializer(serializers.Serializer):
    """File metadata; the storage path is never included."""

    id = serializers.CharField()
    user_id = serializers.CharField(help_text="The uploader.")
    post_id = serializers.CharField(required=False, help_text="Once attached to a post.")
    channel_id = serializers.CharField()
    create_at = serializers.IntegerField()
    update_at = serializers.IntegerField()
    delete_at = serializers.IntegerField()
    name = serializers.CharField()
    extension = serializers.CharField(allow_blank=True, help_text="Lowercase, no dot.")
    size = serializers.IntegerField(help_text="Bytes.")
    mime_type = serializers.CharField(allow_blank=True)
    width = serializers.IntegerField(required=False, help_text="Images only.")
    height = serializers.IntegerField(required=False, help_text="Images only.")
    mini_preview = serializers.CharField(allow_null=True)
    remote_id = serializers.CharField(allow_null=True)
    archived = serializers.BooleanField()


class FileUploadResponseSerializer(serializers.Serializer):
    file_infos = FileInfoSerializer(many=True)
    client_ids = serializers.ListField(child=serializers.CharField())


class FileUploadRequestSerializer(serializers.Serializer):
    """multipart/form-data; `channel_id` may also be a query parameter."""

    files = serializers.ListField(child=serializers.FileField())
    channel_id = serializers.CharField(required=False)
    client_ids = serializers.ListField(child=serializers.CharField(), required=False)


class FileLinkSerializer(serializers.Serializer):
    link = serializers.CharField()
