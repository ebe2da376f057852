"""A HAR read one entry at a time: the same entries as json.loads, whatever the chunk size; clear errors."""

import io
import json

import pytest

from addon.doctor import harstream
from addon.doctor.recorded import UnreadableFile, har_records

HAR = {
    "log": {
        "version": "1.2",
        "creator": {"name": "x", "version": "1", "comment": 'a "quoted" "entries": [ text'},
        "pages": [{"id": "p", "title": "entries"}],
        "entries": [
            {"request": {"method": "GET", "url": f"http://127.0.0.1:5000/{n}", "headers": []}, "time": 1.5 * n}
            for n in range(25)
        ],
        "comment": 12345,
    }
}


@pytest.mark.parametrize("chunk", [1, 2, 7, 64, 1 << 20])
def test_the_entries_are_those_json_reads_whatever_the_chunk_size(monkeypatch, chunk):
    monkeypatch.setattr(harstream, "CHUNK", chunk)
    for text in (json.dumps(HAR), json.dumps(HAR, indent=3)):
        assert list(harstream.har_entries(io.StringIO(text))) == HAR["log"]["entries"]


def test_entries_are_read_as_they_come_not_all_at_once(monkeypatch):
    monkeypatch.setattr(harstream, "CHUNK", 64)
    stream = io.StringIO(json.dumps(HAR))
    entries = harstream.har_entries(stream)
    next(entries)
    assert stream.tell() < len(json.dumps(HAR)) / 4


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"log": {"entries": [{"request": ', "JSONDecodeError"),
        ('{"log": {"pages": []}}', "KeyError"),
        ('{"log": {"entries": [1, 2]}}', "TypeError"),
        ('{"log": {"entries": [{"request": {}}]}}', "KeyError"),
        ("[1, 2]", "ValueError"),
        ('{"log": {"entries": [{"request": {"method": "GET", "url": "u"}}] "x": 1}}', "ValueError"),
    ],
)
def test_a_file_that_is_not_a_har_says_why(text, why):
    with pytest.raises(UnreadableFile, match=rf"^not a HAR file \({why}"):
        list(har_records(io.StringIO(text)))
