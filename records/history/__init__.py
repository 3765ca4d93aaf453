"""我的学籍记录: what the portal tells a student about her own records, read from the
audit trail (portal.lib.models.AuditEvent) — every change with who (a role and an office,
never a staff member's name), when, before → after and why; every staff look at or export
of her data, per day; every viewing of her online verification reports, the address
masked (portal.lib.throttle.mask_ip). Reads only: `selectors`; the page: `views`."""
