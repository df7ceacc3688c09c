"""Security and reliability properties tested through a live daphne (the `live_daphne`
fixture), where defects that never show in Django's test client live.

- test_uploads.py: bodies stream in bounded memory; refused requests are answered from
  their headers; malformed multipart is an AppError (issue 12, findings 1 and 4).
- test_bounded_input.py: one bounded JSON decoder; absurd paging (findings 2 and 3).
- test_signin.py: sign-in costs the same for unknown and known names; the lockout is on
  the account (findings 5 and 6; SECURITY 7).
- test_log_redaction.py: webhook ids and tokens never reach a log line (finding 7; SECURITY 26).
- test_slow_socket.py: a socket that stops reading is bounded by bytes and closed with 4013
  (finding 8; SECURITY 24).
- test_redis_outage.py: Redis killed or paused under load (SECURITY 23).
"""
