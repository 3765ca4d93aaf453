"""专升本 pages (seeds 002, 003): the student binds her prior 专科 degree to her 本科 record;
staff list the 专升本 students whose 专科 degree is not found, not bound or not confirmed,
and export the list. The rules are records.services.prior_degrees'; the reads are
records.selectors.zsb_records'."""
