"""The classroom tools, for a teacher: an nbgrader course made from the notebooks (`grading`, the
command `python -m helpers nbgrader`) and the key to the exercises and quizzes (`key`, the command
`python -m helpers key`). They are called by the command line, never by a notebook: a learner's
notebook needs none of this package.
"""
