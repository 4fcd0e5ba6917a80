"""Personal data of the case company's customers: fictional names, phones and e-mails.

Each part is drawn uniformly from a short list: a retail customer's name is a surname and one given
character, a second one with probability 0.6 (``王伟``, ``李秀英``); a business account's name is
``<city><firm><trade>有限公司``. Phones are ``13``, ``15`` or ``18`` and nine uniform digits; e-mails are
3-6 uniform letters (``purchasing`` for business accounts), the customer's number and ``@example.com``.
"""

from __future__ import annotations

import numpy as np

__all__: list[str] = []

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
_GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕鹏辉婷浩宇轩然欣怡梓涵子墨晨阳思远")
_CITIES = ["杭州", "苏州", "南京", "广州", "深圳", "北京", "天津", "武汉", "长沙", "成都", "重庆", "西安", "合肥", "宁波"]
_FIRMS = ["恒达", "嘉禾", "鑫源", "瑞丰", "华美", "宏图", "永盛", "天成", "锦程", "德信", "中联", "盛世"]
_TRADES = ["商贸", "贸易", "家居", "供应链", "实业"]


def _personal_data(rng: np.random.Generator, retail: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """Fictional names (company names for business accounts), 11-digit phones and example.com e-mails."""
    n = retail.size
    surname = rng.integers(0, len(_SURNAMES), n)
    given1 = rng.integers(0, len(_GIVEN), n)
    given2 = rng.integers(0, len(_GIVEN), n)
    two = rng.random(n) < 0.6
    city, firm, trade = (rng.integers(0, len(x), n) for x in (_CITIES, _FIRMS, _TRADES))
    names = [
        (_SURNAMES[surname[i]] + _GIVEN[given1[i]] + (_GIVEN[given2[i]] if two[i] else "")) if retail[i]
        else f"{_CITIES[city[i]]}{_FIRMS[firm[i]]}{_TRADES[trade[i]]}有限公司"
        for i in range(n)
    ]
    phone_prefix = np.array(["13", "15", "18"])[rng.integers(0, 3, n)]
    phone_rest = rng.integers(0, 10**9, n)
    phones = [f"{phone_prefix[i]}{phone_rest[i]:09d}" for i in range(n)]
    letters = rng.integers(0, 26, (n, 6))
    n_letters = rng.integers(3, 7, n)
    emails = [
        ("".join(chr(97 + c) for c in letters[i, :n_letters[i]]) if retail[i] else "purchasing")
        + f"{i + 1}@example.com"
        for i in range(n)
    ]
    return names, phones, emails
