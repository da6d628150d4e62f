"""Where data and checkpoints come from when the Hub is not there: the Hub probe (`hub`), the
source rules behind `helpers.locate` (`sources`), the offline stand-ins (`standins`) and the
embedded sample (`sample`). Called by `helpers.locate` and the up-front checks; a learner never
needs to open it.
"""
