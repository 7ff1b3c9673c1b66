"""The model comparison script (ranking/model_selection.py) behind docs/relevance.md."""

from ranking.model_selection import DEFAULT_CSV, compare, load_iclr, main, markdown_table
from tests.ranking.test_model_classifier import corpus


def test_iclr_loader_maps_orals_and_posters_to_accepted():
    documents, labels = load_iclr(DEFAULT_CSV)
    # data/iclr2017/NOTICE.md: 490 papers; 15 orals + 183 posters accepted.
    assert len(documents) == 490
    assert sum(labels) == 198
    # One real row (SJUdkecgx) has no title and a blank abstract: kept, as an empty document.
    assert sum(not d for d in documents) == 1
    # Keywords are read from their list literal, not kept as "['…']".
    assert not any("['" in d for d in documents)


def test_comparison_scores_every_candidate_on_the_same_folds():
    documents, labels = corpus(120, seed=11)
    results = compare(documents, labels, folds=3, repeats=1)
    assert [r.folds for r in results] == [3, 3, 3]
    assert results[0].auc_gain_mean == 0.0  # the baseline against itself
    chosen = results[1]
    assert chosen.auc_mean > 0.85  # the generated corpus is easy
    assert "words 1–2" in markdown_table(results)


def test_comparison_command_prints_the_table(tmp_path, capsys):
    documents, labels = corpus(60, seed=12)
    path = tmp_path / "iclr.csv"
    rows = ["PID,Decision,Title,Abstract,Keyword"]
    for i, (document, label) in enumerate(zip(documents, labels, strict=True)):
        rows.append(f'p{i},{2 if label else 0},Title {i},"{document}","[\'Theory\']"')
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    assert main([str(path), "--folds", "2", "--repeats", "1"]) == 0
    output = capsys.readouterr().out
    assert "60 documents" in output
    assert "| baseline: word TF-IDF + LR (C=1) |" in output
