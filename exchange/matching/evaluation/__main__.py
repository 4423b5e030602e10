"""python -m exchange.matching.evaluation [--hard] [--model]: print the evaluation report."""
import sys

from exchange.matching.evaluation import DATASET, HARD_SET, evaluate, format_report

embedder = None
if "--model" in sys.argv:
    from exchange.matching.embeddings import CachingEmbedder, default_embedder
    embedder = CachingEmbedder(default_embedder())
print(format_report(evaluate(HARD_SET if "--hard" in sys.argv else DATASET, embedder=embedder)))
