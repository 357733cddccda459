// ActiveMQ Classic embedded, for the mqttws interop matrix: one transport
// connector per URI given on the command line, and the TLS key from the
// PKCS#12 keystore in args[1] (tests/interop/brokers/activemq/broker.sh).
import java.io.FileInputStream;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.SslContext;

public class Main {
    public static void main(String[] args) throws Exception {
        char[] password = args[2].toCharArray();
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(args[1])) {
            keyStore.load(in, password);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, password);

        BrokerService broker = new BrokerService();
        broker.setBrokerName("interop");
        broker.setDataDirectory(args[0]);
        broker.setPersistent(false);
        broker.setUseJmx(false);
        broker.setAdvisorySupport(false);
        broker.setSslContext(new SslContext(kmf.getKeyManagers(), null, null));
        for (int i = 3; i < args.length; i++) {
            broker.addConnector(args[i]);
        }
        broker.start();
        broker.waitUntilStarted();
        System.out.println("interop: activemq started");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        broker.waitUntilStopped();
    }
}
