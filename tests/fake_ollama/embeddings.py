"""Deterministic embedding vectors with a real similarity structure.

A text becomes a hashed bag of its lowercase words plus their character
trigrams, L2-normalised, so texts sharing words (or word stems) have a higher
cosine than unrelated ones. Common function words count little, and a small
lexicon adds a shared topic feature to words about pets, cooking, programming
and weather, so the Embeddings page's example clusters by meaning the way a
real model's would, and about refunds, delivery and repairs, so a question finds
the passage of a shop's handbook that answers it while sharing few or none of
its words ("Could a broken one be fixed?" and "... is repaired or replaced").
Chinese has no spaces between words, so a run of Chinese characters also adds
its character pairs, and Chinese topic words found in it add the same topic
features (the page's Chinese example clusters too). A faint text-specific
background keeps every dimension non-zero, as real vectors are.
"""

from __future__ import annotations

import hashlib
import math
import re

from .gowire import float32

_WORD = re.compile(r"\w+")
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "on",
        "in",
        "at",
        "to",
        "and",
        "or",
        "is",
        "are",
        "was",
        "be",
        "it",
        "its",
        "their",
        "my",
        "your",
        "our",
        "this",
        "that",
        "with",
        "for",
        "by",
        "from",
        "as",
    ]
)
_TOPICS = {
    "pets": "cat cats kitten kittens purred purr purrs dog dogs puppy puppies barks bark pet pets yarn walks postman",
    "cooking": "bake baked bread crust basil tomato sauce onions cooked slow recipe oven cook cooking flour soup",
    "programming": "python lists list dictionary keys values git commits commit code project snapshots function",
    "weather": "rain sunny snow storm wind cloudy forecast temperature weather",
    "refunds": "refund refunds refunded money reimburse reimbursed return returns returned returning receipt",
    "delivery": "delivery deliver delivered shipping ship shipped parcel parcels package courier abroad customs",
    "repairs": "warranty guarantee repair repaired repairs fix fixed broke broken defect defects faulty replaced",
}
_TOPIC_OF = {word: topic for topic, words in _TOPICS.items() for word in words.split()}
_CHINESE_RUN = re.compile(r"[\u4e00-\u9fff]+")
_CHINESE_TOPICS = {
    "pets": "猫 狗 呼噜 毛线 宠物 散步 快递员",
    "cooking": "烤 面包 罗勒 番茄 洋葱 炒 酱 菜谱 烘焙",
    "programming": "列表 字典 提交 代码 项目 函数 快照",
    "weather": "下雨 晴 下雪 暴风 刮风 天气 气温 预报",
    "refunds": "退货 退款 退钱 退回 退给 收据",
    "delivery": "配送 包裹 寄 发货 发出 国外 海关 物流 送达",
    "repairs": "保修 维修 修理 坏 故障 更换",
}


def _bucket(feature: str, dimensions: int) -> tuple[int, float]:
    digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
    number = int.from_bytes(digest, "big")
    return number % dimensions, 1.0 if number >> 63 else -1.0


def normalize(vector: list[float]) -> list[float]:
    """Ollama's normalize(): divide by the L2 norm (guarded against zero)."""
    norm = max(math.sqrt(sum(value * value for value in vector)), 1e-12)
    return [value / norm for value in vector]


def embed(text: str, dimensions: int) -> list[float]:
    vector = [0.0] * dimensions
    background = hashlib.blake2b(text.encode(), digest_size=16).digest()
    for index in range(dimensions):
        vector[index] = (background[index % 16] - 127.5) / 127.5 * 0.002
    for word in _WORD.findall(text.lower()):
        weight = 0.15 if word in _FUNCTION_WORDS else 1.0
        index, sign = _bucket("w:" + word, dimensions)
        vector[index] += weight * sign
        if word in _TOPIC_OF:
            index, sign = _bucket("topic:" + _TOPIC_OF[word], dimensions)
            vector[index] += 1.5 * sign
        padded = f" {word} "
        for start in range(len(padded) - 2):
            index, sign = _bucket("t:" + padded[start : start + 3], dimensions)
            vector[index] += 0.3 * weight * sign
    for run in _CHINESE_RUN.findall(text):
        for start in range(len(run) - 1):
            index, sign = _bucket("c:" + run[start : start + 2], dimensions)
            vector[index] += 0.5 * sign
        for topic, words in _CHINESE_TOPICS.items():
            for word in words.split():
                if word in run:
                    index, sign = _bucket("topic:" + topic, dimensions)
                    vector[index] += 1.5 * sign
    return normalize(vector)


def truncate_dimensions(vector: list[float], dimensions: int | None) -> list[float]:
    """The `dimensions` request field: keep the first N values and renormalise."""
    if dimensions and 0 < dimensions < len(vector):
        return normalize(vector[:dimensions])
    return vector


def as_float32(vector: list[float]) -> list[float]:
    return [float32(value) for value in vector]
