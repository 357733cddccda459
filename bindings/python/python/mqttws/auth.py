"""Cloud IoT platform signers: credentials for MQTT over WebSocket.

Two ways to use each platform:

* ``*_credentials(...)`` computes the client id, user name and password (and,
  where the platform decides them, the URL and upgrade headers) once, for a
  given time ``now`` (default: the current time)::

      creds = tencent_credentials("ABCDEFGHIJ", "dev001", psk)
      client = mqttws.Client(creds.url, client_id=creds.client_id,
                             username=creds.username, password=creds.password)

* a device class is a *preset*: it knows the endpoint URL and is passed as
  ``credentials=``, so that the client signs afresh at every ``connect()``
  (signatures that expire stay valid across reconnects)::

      device = TencentDevice("ABCDEFGHIJ", "dev001", psk)
      client = mqttws.Client(credentials=device, keepalive=240)

Secrets are never shown by ``repr()`` and never appear in exception messages.

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

from ._mqttws import (
    AliyunDevice,
    AwsCustomAuth,
    AwsSigV4,
    AzureDevice,
    Credentials,
    HuaweiDevice,
    Platform,
    TencentDevice,
    aliyun_credentials,
    aws_credentials,
    aws_custom_auth_credentials,
    azure_credentials,
    huawei_credentials,
    tencent_credentials,
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
