"""The accounts pages, by subject: log-in (auth), registration (register), a person's
own account (selfservice), the identity check of a pending account (identity), the
holder's answers to a claim (claims), the identity reviewers' queue (review) and the
second factor of staff (second_factor). Views parse, fetch through accounts.access,
call a service with `by=` and `ip=`, and render."""
