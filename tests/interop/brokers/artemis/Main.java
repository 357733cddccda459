// ActiveMQ Artemis embedded, for the mqttws interop matrix: one acceptor per
// URI given on the command line (tests/interop/brokers/artemis/broker.sh).
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;

public class Main {
    public static void main(String[] args) throws Exception {
        String dir = args[0];
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(false)
                .setJournalDirectory(dir + "/journal")
                .setBindingsDirectory(dir + "/bindings")
                .setLargeMessagesDirectory(dir + "/large")
                .setPagingDirectory(dir + "/paging");
        for (int i = 1; i < args.length; i++) {
            config.addAcceptorConfiguration("acceptor" + i, args[i]);
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        server.start();
        System.out.println("interop: artemis started");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (Exception e) {
                e.printStackTrace();
            }
        }));
        Thread.currentThread().join();
    }
}
