"""专业满意度和院校满意度评价 (seed 004 step 五; issue 15 §4).

After her self-check a student may evaluate her 专业 and her 院校 once per notice's task
(voluntary); the registrar, and each college for its own, read the results per college
and per major, and export them. No member of staff learns who answered what:

- the answers (notices.models.SatisfactionEvaluation) carry what they are about (学院,
  专业, 层次, 年级) and nothing that leads back to the student: no account, no time, a
  random key; that she answered is a row of its own (SatisfactionParticipant), which
  makes it once per task and lets her page say 已评价 — so she cannot change her answers;
- a group of fewer than MINIMUM answers shows no figure at all, and where the groups
  shown would let a hidden one be worked out by subtraction, one more is hidden (selectors);
- the free words are listed per college only, in the order of their text.

`selectors` reads (who is invited, the results), `services` writes (the answers), `views`
and `forms` are the pages, `exports` the workbook.
"""
