// ActiveMQ Artemis embedded, for the mqttws interop matrix: one acceptor per
// URI given on the command line (tests/interop/brokers/artemis/broker.sh).
// Security is on only for an ACL: every user (and no user) may do everything,
// except send to the addresses of the MQTT topics under $IOP_DENIED (the MQTT
// 5 check publish-refused).
import java.util.Set;
import org.apache.activemq.artemis.core.config.Configuration;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.security.CheckType;
import org.apache.activemq.artemis.core.security.Role;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.spi.core.security.ActiveMQSecurityManager;

public class Main {
    static Role role(boolean send) {
        // name, send, consume, createDurableQueue, deleteDurableQueue,
        // createNonDurableQueue, deleteNonDurableQueue, manage, browse,
        // createAddress, deleteAddress
        return new Role("everyone", send, true, true, true, true, true, true, true, true, true);
    }

    public static void main(String[] args) throws Exception {
        String dir = args[0];
        Configuration config = new ConfigurationImpl()
                .setPersistenceEnabled(false)
                .setSecurityEnabled(true)
                .setJournalDirectory(dir + "/journal")
                .setBindingsDirectory(dir + "/bindings")
                .setLargeMessagesDirectory(dir + "/large")
                .setPagingDirectory(dir + "/paging");
        config.putSecurityRoles("#", Set.of(role(true)));
        // MQTT's a/b is Artemis's address a.b.
        config.putSecurityRoles(System.getenv("IOP_DENIED") + ".#", Set.of(role(false)));
        for (int i = 1; i < args.length; i++) {
            config.addAcceptorConfiguration("acceptor" + i, args[i]);
        }
        EmbeddedActiveMQ server = new EmbeddedActiveMQ();
        server.setConfiguration(config);
        server.setSecurityManager(new ActiveMQSecurityManager() {
            @Override
            public boolean validateUser(String user, String password) {
                return true;
            }

            @Override
            public boolean validateUserAndRole(String user, String password, Set<Role> roles,
                    CheckType checkType) {
                return roles.stream().anyMatch(checkType::hasRole);
            }
        });
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
