"""The infrastructure under every app: the audit trail, counters and throttles, background
jobs and leases, uploads and private files, spreadsheets, ID numbers.

It imports no app of the portal (scripts/rooms.py checks it); every app imports it.
"""
