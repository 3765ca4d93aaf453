"""The task workers of the portal: wrapped commands with housekeeping (portal.worker.housekeeping)."""
