"""Measured training: padding strategies timed side by side (`bench`, notebook 6 and `python -m
helpers bench`), padding's effect on logits and losses (`equivalence`, notebook 6) and the same
training on several processes with Accelerate (`train`, notebook 7 and `python -m helpers train`).
"""
