"""Production settings (portal.settings, from the environment) with the benchmark's
URLconf: the portal's URLs plus the ceiling page. Used by bench/pages.py's gunicorn only."""

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ceiling_urls"

# The benchmark logs its staff in with the password only: no TOTP devices are enrolled,
# so the second-factor requirement (on by default with DEBUG off) is turned off here.
OTP_REQUIRED = False
