"""`flask matching evaluate` prints both sets' reports (lexicon engine here: no model loaded)."""
from __future__ import annotations


def test_evaluate_command_without_model(app):
    result = app.test_cli_runner().invoke(args=["matching", "evaluate", "--no-model"])
    assert result.exit_code == 0, result.output
    assert "dataset.json" in result.output and "hard_set.json" in result.output
    for word in ("engine", "themes", "bm25", "no_relevant_offer", "wrong_themes", "lang zh",
                 "hard-rule violations in the top 10: engine 0"):
        assert word in result.output
    assert "embedding" not in result.output.split("hard_set.json")[1].split("\n")[2]
