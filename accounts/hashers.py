"""The password hasher: argon2id at OWASP's floor (docs/security.md).

Django's Argon2 defaults (m = 100 MiB, t = 2, p = 8) cost 80–125 ms a check on a 2-core
server, most of what a student's log-in costs at the deadline. OWASP's Password Storage
Cheat Sheet gives m = 19 MiB, t = 2, p = 1 as the floor for argon2id; it costs about a
fifth of that. The algorithm name stays "argon2", so every existing hash is still checked
(its parameters are in the hash) and Django's `must_update` rehashes it with these
parameters at the person's next log-in.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idOwaspHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19 * 1024  # KiB: 19 MiB
    parallelism = 1
