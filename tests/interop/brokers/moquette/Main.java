// Moquette embedded, for the mqttws interop matrix: the configuration is the
// properties file in args[0] (tests/interop/brokers/moquette/broker.sh).
import io.moquette.broker.Server;
import io.moquette.broker.config.MemoryConfig;
import java.io.FileReader;
import java.util.Properties;

public class Main {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        try (FileReader in = new FileReader(args[0])) {
            props.load(in);
        }
        Server server = new Server();
        server.startServer(new MemoryConfig(props));
        System.out.println("interop: moquette started");
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopServer));
        Thread.currentThread().join();
    }
}
