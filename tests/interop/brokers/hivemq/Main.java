// HiveMQ CE embedded, for the mqttws interop matrix: the listeners are in
// config.xml, which tests/interop/brokers/hivemq/broker.sh writes.
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.nio.file.Path;

public class Main {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(dir.resolve("conf"))
                .withDataFolder(dir.resolve("data"))
                .withExtensionsFolder(dir.resolve("extensions"))
                .build();
        hivemq.start().join();
        System.out.println("interop: hivemq started");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> hivemq.stop().join()));
        Thread.currentThread().join();
    }
}
