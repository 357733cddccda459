// HiveMQ CE embedded, for the mqttws interop matrix: the listeners are in
// config.xml, which tests/interop/brokers/hivemq/broker.sh writes. An embedded
// extension refuses publishes to the topics under args[1] (IOP_DENIED), the
// ACL of the MQTT 5 check publish-refused: a publish interceptor answers
// PUBACK/PUBREC 0x87 (not authorized) and keeps the connection. (A
// PublishAuthorizer's failAuthorization sends the same PUBACK, then
// DISCONNECT 0x87.)
import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;

public class Main {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String denied = args[1] + "/";
        PublishInboundInterceptor acl = (in, out) -> {
            if (in.getPublishPacket().getTopic().startsWith(denied)) {
                out.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, "denied by the interop ACL");
            }
        };
        ExtensionMain main = new ExtensionMain() {
            @Override
            public void extensionStart(ExtensionStartInput in, ExtensionStartOutput out) {
                Services.initializerRegistry().setClientInitializer(
                        (init, client) -> client.addPublishInboundInterceptor(acl));
            }

            @Override
            public void extensionStop(ExtensionStopInput in, ExtensionStopOutput out) {}
        };
        EmbeddedExtension extension = EmbeddedExtension.builder()
                .withId("mqttws-interop").withName("mqttws interop ACL").withVersion("1")
                .withAuthor("mqttws").withPriority(0).withStartPriority(0)
                .withExtensionMain(main).build();
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(dir.resolve("conf"))
                .withDataFolder(dir.resolve("data"))
                .withExtensionsFolder(dir.resolve("extensions"))
                .withEmbeddedExtension(extension)
                .build();
        hivemq.start().join();
        // A listener that cannot bind its port (taken by another process since
        // the harness picked it) is only logged: exit 3, so the harness retries
        // with new ports. (A port taken by a listening process escapes this.)
        for (int i = 2; i < args.length; i++) {
            try (Socket probe = new Socket("127.0.0.1", Integer.parseInt(args[i]))) {
                // listening
            } catch (IOException e) {
                System.err.println("interop: hivemq: nothing listens on port " + args[i]);
                System.exit(3);
            }
        }
        System.out.println("interop: hivemq started");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> hivemq.stop().join()));
        Thread.currentThread().join();
    }
}
