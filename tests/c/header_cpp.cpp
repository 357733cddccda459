// The header must compile as C++ (cpp_compat: extern "C", typed enums) with
// the same warnings as the C tests, and link against libmqttws.
#include "mqttws.h"

#include <cstdio>
#include <cstring>

int main() {
    mqttws_options_builder *builder = nullptr;
    const mqttws_options *options = nullptr;
    mqttws_error *err = nullptr;
    if (mqttws_options_builder_new("ws://127.0.0.1:9/mqtt", &builder) != MQTTWS_OK) return 1;
    if (mqttws_options_builder_set_client_id(builder, "cpp") != MQTTWS_OK) return 1;
    if (mqttws_options_builder_build(builder, &options, &err) != MQTTWS_OK) return 1;
    mqttws_client *client = nullptr;
    if (mqttws_client_new(options, &client, &err) != MQTTWS_OK) return 1;
    mqttws_options_free(options);
    mqttws_event *event = nullptr;
    mqttws_result rc = mqttws_client_poll(client, 0, &event);
    if (event != nullptr || mqttws_event_get_kind(event) != MQTTWS_EVENT_NONE) return 1;
    if (rc != MQTTWS_CLOSED) return 1;
    if (std::strcmp(mqttws_result_str(rc), "connection closed") != 0) return 1;
    if (mqttws_client_free(client) != MQTTWS_OK) return 1;
    std::printf("ok   header compiles and links as C++17 (mqttws %s)\n", mqttws_version());
    return 0;
}
