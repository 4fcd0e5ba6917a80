"""Personal data of the case company's customers: fictional names, phones and e-mails.

Each part is drawn uniformly from a short list: a retail customer's name is a surname and one given
character, a second one with probability 0.6 (``王伟``, ``李秀英``); a business account's name is
``<city><firm><trade>有限公司``. Phones are ``13``, ``15`` or ``18`` and nine uniform digits; e-mails are
3-6 uniform letters (``purchasing`` for business accounts), the customer's number and ``@example.com``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from crmbook.sample.columns import _text_column

__all__: list[str] = []

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢")
_GIVEN = list("伟芳娜秀敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕鹏辉婷浩宇轩然欣怡梓涵子墨晨阳思远")
_CITIES = ["杭州", "苏州", "南京", "广州", "深圳", "北京", "天津", "武汉", "长沙", "成都", "重庆", "西安", "合肥", "宁波"]
_FIRMS = ["恒达", "嘉禾", "鑫源", "瑞丰", "华美", "宏图", "永盛", "天成", "锦程", "德信", "中联", "盛世"]
_TRADES = ["商贸", "贸易", "家居", "供应链", "实业"]


def _personal_data(rng: np.random.Generator, retail: np.ndarray, numbers: np.ndarray | None = None
                   ) -> tuple[pd.api.extensions.ExtensionArray, ...]:
    """Fictional names (company names for business accounts), 11-digit phones and example.com e-mails.

    ``numbers`` are the customers' numbers written in the e-mails (default 1, 2, ...). Returns three ``str``
    columns; the values are joined in Arrow from the drawn codes (the draws are those of the documented
    order: surname, two given characters, two-character flag, city, firm, trade, phone prefix and digits,
    e-mail letters and their count).
    """
    n = retail.size
    numbers = np.arange(1, n + 1) if numbers is None else np.asarray(numbers, dtype="int64")
    surname = rng.integers(0, len(_SURNAMES), n)
    given1 = rng.integers(0, len(_GIVEN), n)
    given2 = rng.integers(0, len(_GIVEN), n)
    two = rng.random(n) < 0.6
    city, firm, trade = (rng.integers(0, len(x), n) for x in (_CITIES, _FIRMS, _TRADES))
    person = _join(_arrow(_SURNAMES, surname), _arrow(_GIVEN, given1), _arrow([""] + _GIVEN, np.where(two, given2 + 1, 0)))
    firm_name = _join(_arrow(_CITIES, city), _arrow(_FIRMS, firm), _arrow(_TRADES, trade), _const("有限公司", n))
    names = pc.if_else(pa.array(retail), person, firm_name)
    phone_prefix = _arrow(["13", "15", "18"], rng.integers(0, 3, n))
    phone_rest = pc.utf8_lpad(pa.array(rng.integers(0, 10**9, n)).cast(pa.large_string()), width=9, padding="0")
    phones = _join(phone_prefix, phone_rest)
    letters = rng.integers(0, 26, (n, 6))
    n_letters = rng.integers(3, 7, n)
    keep = np.arange(6) < n_letters[:, None]  # the first n_letters letters of each row
    offsets = np.concatenate(([0], np.cumsum(n_letters)))
    box = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets.astype("int64")),
                                           pa.py_buffer((97 + letters[keep]).astype("uint8")))
    local = pc.if_else(pa.array(retail), box, _const("purchasing", n))
    emails = _join(local, pa.array(numbers).cast(pa.large_string()), _const("@example.com", n))
    return _text_column(names), _text_column(phones), _text_column(emails)


def _arrow(labels: list[str], codes: np.ndarray) -> pa.Array:
    return pa.array(labels, type=pa.large_string()).take(pa.array(codes))


def _const(text: str, n: int) -> pa.Array:
    return pa.array([text], type=pa.large_string()).take(pa.array(np.zeros(n, dtype="int64")))


def _join(*parts: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(*parts, pa.scalar("", pa.large_string()))
