"""One set of rules for the fields of a record (学籍) and a degree (学历): how a value is
read (the spellings real files and people use), normalised, validated and shown, and the
rules between fields. The roster import, the student's 有误 claim, the registrar's
accept and direct edit, and the admin all call these; none re-implements them."""
