import pytest
from scrapy import Request
from scrapy.utils.request import request_from_dict

from crawler.frontier import codec


def test_request_round_trips_through_json() -> None:
    request = Request(
        "http://flix.to/a?b=1",
        method="POST",
        body=b"\x00\xffbinary",
        headers={"Referer": "http://x.to/"},
        meta={"site_hops": 2, "how_found": "link", "nested": {"a": [1, 2.5, None, True]}},
        priority=-11,
    )
    data = request.to_dict()
    text = codec.dumps(data)
    assert isinstance(text, str)
    assert "pickle" not in text
    restored = request_from_dict(codec.loads(text))
    assert restored.url == request.url
    assert restored.body == request.body
    assert restored.method == "POST"
    assert restored.headers.getlist(b"Referer") == [b"http://x.to/"]
    assert restored.meta["nested"] == {"a": [1, 2.5, None, True]}
    assert restored.priority == -11


def test_non_json_meta_is_refused_with_its_path() -> None:
    request = Request("http://flix.to/", meta={"bad": object()})
    with pytest.raises(codec.CodecError, match=r"request\.meta\.bad: object"):
        codec.dumps(request.to_dict())


def test_garbage_and_pickle_bytes_are_rejected() -> None:
    import pickle

    with pytest.raises(codec.CodecError):
        codec.loads(pickle.dumps({"url": "http://x"}))
    with pytest.raises(codec.CodecError):
        codec.loads(b"{not json")
