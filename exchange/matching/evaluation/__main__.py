"""python -m exchange.matching.evaluation: print the evaluation report."""
from . import evaluate, format_report

print(format_report(evaluate()))
