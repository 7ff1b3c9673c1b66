"""Reading decisions from CSV files and arrays: literal values and clear errors."""

import numpy as np
import pytest

from ranking.slices import (
    MISSING,
    SliceInputError,
    slice_table_from_columns,
    slice_table_read_csv,
)


def _write(tmp_path, text: str, name: str = "decisions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _values(table, column: str) -> list[str]:
    categorical = table.categorical[column]
    return [categorical.labels[c] for c in categorical.codes]


def test_csv_values_are_literal_strings_and_only_empty_is_missing(tmp_path):
    path = _write(
        tmp_path,
        'accepted,region,company\n1,NA,None\n0,N/A,null\n1,,NaN\n0,"EU, west",nan\n1, NA,#N/A\n',
    )
    table = slice_table_read_csv(path, binary=["accepted"], categorical=["region", "company"])
    assert _values(table, "region") == ["NA", "N/A", MISSING, "EU, west", " NA"]
    assert _values(table, "company") == ["None", "null", "NaN", "nan", "#N/A"]
    assert table.binary["accepted"].tolist() == [1, 0, 1, 0, 1]


def test_csv_numeric_looking_values_keep_their_text(tmp_path):
    path = _write(tmp_path, "accepted,size\n1,007\n0,7\n1,7.0\n0,\n")
    table = slice_table_read_csv(path, binary=["accepted"], categorical=["size"])
    assert _values(table, "size") == ["007", "7", "7.0", MISSING]


def test_csv_with_byte_order_mark_reads_the_first_column_name(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes("accepted,region\n1,EU\n0,NA\n".encode("utf-8-sig"))
    table = slice_table_read_csv(path, binary=["accepted"], categorical=["region"])
    assert _values(table, "region") == ["EU", "NA"]


def test_csv_score_is_parsed_and_empty_score_is_missing(tmp_path):
    path = _write(tmp_path, "accepted,score\n1,0.5\n0,\n1,1e-3\n")
    table = slice_table_read_csv(path, binary=["accepted"], numeric=["score"])
    score = table.numeric["score"]
    assert score[0] == 0.5
    assert np.isnan(score[1])
    assert score[2] == 0.001


@pytest.mark.parametrize("bad", ["high", "nan", "inf", "1,5"])
def test_csv_non_numeric_score_is_an_error_naming_the_row(tmp_path, bad):
    path = _write(tmp_path, f'accepted,score\n1,0.5\n0,"{bad}"\n')
    with pytest.raises(SliceInputError, match=r"column 'score' must be numeric.*data row 2"):
        slice_table_read_csv(path, binary=["accepted"], numeric=["score"])


@pytest.mark.parametrize("bad", ["yes", "1.0", "2", " 1", "true"])
def test_csv_outcome_other_than_0_or_1_is_an_error(tmp_path, bad):
    path = _write(tmp_path, f'accepted,region\n1,EU\n"{bad}",NA\n0,EU\n')
    with pytest.raises(SliceInputError, match=r"column 'accepted' must hold 0 or 1.*data row 2"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["region"])


def test_csv_empty_outcome_is_an_error(tmp_path):
    path = _write(tmp_path, "accepted,region\n1,EU\n,NA\n")
    with pytest.raises(SliceInputError, match="'accepted' has empty cells"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["region"])


def test_csv_missing_column_is_an_error_listing_the_header(tmp_path):
    path = _write(tmp_path, "accepted,region\n1,EU\n")
    with pytest.raises(SliceInputError, match=r"missing column\(s\): 'tier'.*'accepted', 'region'"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["region", "tier"])


def test_empty_file_is_an_error(tmp_path):
    path = _write(tmp_path, "")
    with pytest.raises(SliceInputError, match="the file is empty"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["region"])


def test_header_without_rows_is_an_error(tmp_path):
    path = _write(tmp_path, "accepted,region\n")
    with pytest.raises(SliceInputError, match="header but no rows"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["region"])


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(SliceInputError, match="no such file"):
        slice_table_read_csv(tmp_path / "nope.csv", binary=["accepted"])


def test_file_that_is_not_utf8_is_an_error(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("accepted,région\n1,Zürich\n".encode("latin-1"))
    with pytest.raises(SliceInputError, match="not UTF-8"):
        slice_table_read_csv(path, binary=["accepted"], categorical=["région"])


def test_columns_accept_integers_booleans_and_strings():
    table = slice_table_from_columns(
        {"a": [1, 0, True], "b": np.array(["1", "0", "1"]), "year": [2024, 2025, 2024]},
        binary=["a", "b"],
        categorical=["year"],
    )
    assert table.binary["a"].tolist() == [1, 0, 1]
    assert table.binary["b"].tolist() == [1, 0, 1]
    assert table.categorical["year"].labels == ("2024", "2025")


def test_columns_of_different_lengths_are_an_error():
    with pytest.raises(SliceInputError, match="different lengths"):
        slice_table_from_columns({"a": [1, 0], "b": ["x"]}, binary=["a"], categorical=["b"])
