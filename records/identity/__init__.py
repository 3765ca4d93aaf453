"""The identity proof by records (seed 000, 途径一 and 途径二): a pending account proves
who she is by the facts of her enrolment or degree records, or by a classmate of her
class. Its pages show as sections of the accounts identity page (registered in
records.apps through accounts.identity_routes) and post to /accounts/identity/facts/ and
/accounts/identity/classmate/ (records.identity.urls)."""
