"""Where courses run: the formats of Gradescope, PrairieLearn, Canvas and Moodle, feedback files
for students, and the autograder bundles that grade on Gradescope and PrairieLearn.

Every export is a pure function of result rows (``results.jsonl``), so writing it again gives
the same file. Nothing here imports torch or pytest; :mod:`.runner` starts the grading.
"""
