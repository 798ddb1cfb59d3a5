"""Each generation's codec and signer, chosen by a row's ``generation``: never a second client."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

import attrs

from .._http import Request
from . import v1, v2
from .endpoint import Answer, Endpoint


@attrs.frozen(kw_only=True)
class Codec:
    """How one generation encodes, signs and reads: the functions of its module.

    Attributes:
        generation: 1 or 2.
        encode: ``encode(endpoint, params)``: the action's body before signing.
        chunk_encoder: ``chunk_encoder(endpoint, fixed)``: a batch's encoder of chunks.
        request: ``request(endpoint, body, signer, timestamp)``: one signed attempt.
        answer: ``answer(action, body)``: the envelope's code, message and data.
        signer: the signer's class, made once per Client with its SID and secret.
    """

    generation: int
    encode: Callable[[Endpoint, Any], Any]
    chunk_encoder: Callable[[Endpoint, Mapping[str, object]], Callable[[Sequence[Any]], Any]]
    request: Callable[[Endpoint, Any, Any, int], Request]
    answer: Callable[[str, bytes | str], Answer]
    signer: Callable[[int, str], Any]


V1: Final = Codec(
    generation=1,
    encode=v1.encode,
    chunk_encoder=v1.chunk_encoder,
    request=v1.request,
    answer=v1.answer,
    signer=v1.Signer,
)
V2: Final = Codec(
    generation=2,
    encode=v2.encode,
    chunk_encoder=v2.chunk_encoder,
    request=v2.request,
    answer=v2.answer,
    signer=v2.Signer,
)
#: The codec of each generation.
CODECS: Final = {1: V1, 2: V2}
