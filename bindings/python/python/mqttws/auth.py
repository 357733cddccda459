"""Cloud IoT platform signers: credentials for MQTT over WebSocket.

Two ways to use each platform:

* ``*_credentials(...)`` computes the client id, user name and password (and,
  where the platform decides them, the URL and upgrade headers) once, for a
  given time ``now`` (default: the current time). It takes the arguments of
  the device class and ``now``: ``tencent_credentials(*args, now=t,
  **kwargs)`` is ``TencentDevice(*args, **kwargs).credentials(t)``, except
  that the device is not first checked at the current time::

      creds = tencent_credentials("ABCDEFGHIJ", "dev001", psk)
      url = creds.url or TencentDevice("ABCDEFGHIJ", "dev001", psk).url
      client = mqttws.Client(url, client_id=creds.client_id,
                             username=creds.username, password=creds.password)

  ``creds.url`` is set only where the platform puts the credentials in the
  URL (AWS); elsewhere it is None and the device class's ``.url`` is the
  endpoint.

* a device class is a *preset*: it knows the endpoint URL and is passed as
  ``credentials=``, so that the client signs afresh at every ``connect()``
  (signatures that expire stay valid across reconnects)::

      device = TencentDevice("ABCDEFGHIJ", "dev001", psk)
      client = mqttws.Client(credentials=device, keepalive=240)

Secrets are never shown by ``repr()`` and never appear in exception messages.
A device's ``repr()`` is the call that made it, with the arguments that were
given and each secret as ``<redacted>``::

    >>> TencentDevice("ABCDEFGHIJ", "dev001", psk, method="hmacsha1")
    TencentDevice('ABCDEFGHIJ', 'dev001', psk=<redacted>, method='hmacsha1')

==========  ===========================  ==================================
Platform    one-shot function            preset class
==========  ===========================  ==================================
Tencent     tencent_credentials          TencentDevice
Alibaba     aliyun_credentials           AliyunDevice
AWS (IAM)   aws_credentials              AwsSigV4
AWS custom  aws_custom_auth_credentials  AwsCustomAuth
Azure       azure_credentials            AzureDevice
Huawei      huawei_credentials           HuaweiDevice
==========  ===========================  ==================================
"""

from __future__ import annotations

import datetime
from typing import Any, Callable, Union

from ._mqttws import (
    AliyunDevice,
    AwsCustomAuth,
    AwsSigV4,
    AzureDevice,
    Credentials,
    HuaweiDevice,
    Platform,
    TencentDevice,
    _credentials_once,
)

__all__ = [
    "AliyunDevice",
    "AwsCustomAuth",
    "AwsSigV4",
    "AzureDevice",
    "Credentials",
    "HuaweiDevice",
    "Platform",
    "TencentDevice",
    "aliyun_credentials",
    "aws_credentials",
    "aws_custom_auth_credentials",
    "azure_credentials",
    "huawei_credentials",
    "tencent_credentials",
]

_Now = Union[int, float, datetime.datetime, None]


def _one_shot(device: type[Platform], name: str) -> Callable[..., Credentials]:
    """The ``*_credentials`` function of a device class: the class's
    arguments, plus ``now``; the signature is the class's, written once."""

    def credentials(*args: Any, now: _Now = None, **kwargs: Any) -> Credentials:
        return _credentials_once(device, args, kwargs, now)

    credentials.__name__ = credentials.__qualname__ = name
    credentials.__doc__ = (
        f"Credentials of ``{device.__name__}(*args, **kwargs)`` for a connection attempt at"
        f" ``now`` (default: the current time; a UNIX timestamp or a datetime).\n\n"
        f"{device.__doc__ or ''}"
    )
    return credentials


tencent_credentials = _one_shot(TencentDevice, "tencent_credentials")
aliyun_credentials = _one_shot(AliyunDevice, "aliyun_credentials")
aws_credentials = _one_shot(AwsSigV4, "aws_credentials")
aws_custom_auth_credentials = _one_shot(AwsCustomAuth, "aws_custom_auth_credentials")
azure_credentials = _one_shot(AzureDevice, "azure_credentials")
huawei_credentials = _one_shot(HuaweiDevice, "huawei_credentials")
