"""python -m exchange.matching.evaluation [--hard] [--model] [--cv]: print the evaluation report, or with
--cv the cross-validation of the text themes' weight (docs/MATCHING.md)."""
import sys

from exchange.matching.evaluation import (
    DATASET,
    HARD_SET,
    cross_validate_text_themes,
    evaluate,
    format_cross_validation,
    format_report,
)

embedder = None
if "--model" in sys.argv:
    from exchange.matching.embeddings import CachingEmbedder, default_embedder
    embedder = CachingEmbedder(default_embedder())
path = HARD_SET if "--hard" in sys.argv else DATASET
if "--cv" in sys.argv:
    print(format_cross_validation(cross_validate_text_themes(path, embedder=embedder)))
else:
    print(format_report(evaluate(path, embedder=embedder)))
