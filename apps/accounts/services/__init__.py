"""Writes to accounts, one module per area (import from the module, not from here):

- `users`: creation, profile and custom status, deactivation, system roles;
- `sessions`: sign-in, sessions, personal access tokens, passwords;
- `preferences`: the per-user settings clients keep on the server;
- `bots`: bot accounts and their owners.

Presence (`Status` writes) is the realtime app's: apps.realtime.services.
"""
