"""Create an account from the command line; the first account becomes the system admin."""

import getpass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.accounts.services.users import user_create_by_operator
from apps.core.errors import ConfabError


class Command(BaseCommand):
    help = "Create a Confab account. The first account on the server is the system admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--password", help="Omit to be asked for it.")
        parser.add_argument("--system-admin", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        password = options["password"]
        if password is None:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords differ.")
        try:
            user = user_create_by_operator(
                username=options["username"],
                email=options["email"],
                password=password,
                system_admin=options["system_admin"],
            )
        except ConfabError as exc:
            raise CommandError(exc.message) from exc
        role = "system admin" if user.is_system_admin else "user"
        self.stdout.write(self.style.SUCCESS(f"Created {role} @{user.username} ({user.id})."))
