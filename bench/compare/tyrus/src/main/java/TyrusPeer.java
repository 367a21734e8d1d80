import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.websocket.CloseReason;
import jakarta.websocket.OnClose;
import jakarta.websocket.OnMessage;
import jakarta.websocket.OnOpen;
import jakarta.websocket.Session;
import jakarta.websocket.server.ServerEndpoint;
import jakarta.websocket.DeploymentException;
import jakarta.websocket.server.ServerEndpointConfig;
import org.glassfish.grizzly.http.server.AddOn;
import org.glassfish.grizzly.http.server.HttpServer;
import org.glassfish.grizzly.http.server.NetworkListener;
import org.glassfish.tyrus.container.grizzly.server.WebSocketAddOn;
import org.glassfish.tyrus.core.TyrusWebSocketEngine;
import org.glassfish.tyrus.server.TyrusServerContainer;
import org.glassfish.tyrus.spi.ServerContainer;
import org.glassfish.tyrus.spi.WebSocketEngine;

import java.io.IOException;
import java.lang.reflect.Constructor;

import java.io.StringReader;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain Tyrus endpoint on Grizzly doing Parley's message path (welcome, optional default room with member list
 * and presence, join, message: parse, seq per room, from/ts, broadcast with the sender's ref, ack), with async
 * sends as a careful application would write it. Nothing is stored.
 * <pre>java -cp ... TyrusPeer PORT [defaultRoom]</pre>
 */
@ServerEndpoint(value = "/chat", subprotocols = "chat")
public class TyrusPeer {

    static String defaultRoom;
    static final Map<String, Set<Session>> ROOMS = new ConcurrentHashMap<>();
    static final Map<String, AtomicLong> SEQS = new ConcurrentHashMap<>();

    private String user;

    public static void main(String[] args) throws Exception {
        defaultRoom = args.length > 1 && !"none".equals(args[1]) ? args[1] : null;
        new Loopback().start("/", Integer.parseInt(args[0]));
        System.out.println("ready in tyrus-peer on " + args[0]);
        new CountDownLatch(1).await();
    }

    /**
     * Tyrus's own Grizzly server container, bound to 127.0.0.1: the stock one (org.glassfish.tyrus.server.Server)
     * always listens on 0.0.0.0. Same Grizzly HTTP server and the same Tyrus add-on, created the same way.
     */
    static final class Loopback extends TyrusServerContainer {
        private final TyrusWebSocketEngine engine = TyrusWebSocketEngine.builder(this).build();

        Loopback() {
            super(Set.of(TyrusPeer.class));
        }

        @Override
        public void start(String root, int port) throws IOException, DeploymentException {
            HttpServer http = new HttpServer();
            NetworkListener listener = new NetworkListener("grizzly", "127.0.0.1", port);
            http.addListener(listener);
            try {
                Constructor<WebSocketAddOn> addOn = WebSocketAddOn.class.getDeclaredConstructor(ServerContainer.class, String.class);
                addOn.setAccessible(true); // package-private in Tyrus 2.1.5
                listener.registerAddOn((AddOn) addOn.newInstance(this, root));
            } catch (ReflectiveOperationException e) {
                throw new IOException(e);
            }
            http.start();
            super.start(root, port);
        }

        @Override
        public void register(Class<?> endpoint) throws DeploymentException {
            engine.register(endpoint, "/");
        }

        @Override
        public void register(ServerEndpointConfig config) throws DeploymentException {
            engine.register(config, "/");
        }

        @Override
        public WebSocketEngine getWebSocketEngine() {
            return engine;
        }
    }

    @OnOpen
    public void open(Session session) {
        List<String> names = session.getRequestParameterMap().get("name");
        user = names == null ? "guest-" + session.getId() : names.get(0);
        session.getAsyncRemote().sendText(Json.createObjectBuilder().add("type", "welcome").add("user", user)
                .add("session", session.getId()).add("protocol", 1)
                .add("rooms", defaultRoom == null ? Json.createArrayBuilder() : Json.createArrayBuilder().add(defaultRoom))
                .build().toString());
        if (defaultRoom != null) {
            join(session, defaultRoom, null);
        }
    }

    private void join(Session session, String room, String ref) {
        Set<Session> members = ROOMS.computeIfAbsent(room, r -> ConcurrentHashMap.newKeySet());
        if (members.contains(session)) {
            return;
        }
        String presence = Json.createObjectBuilder().add("type", "presence").add("room", room).add("user", user)
                .add("event", "join").build().toString();
        for (Session m : members) {
            m.getAsyncRemote().sendText(presence);
        }
        members.add(session);
        Set<String> users = new TreeSet<>();
        for (Session m : members) {
            users.add((String) m.getUserProperties().getOrDefault("user", ""));
        }
        session.getUserProperties().put("user", user);
        users.add(user);
        var joined = Json.createObjectBuilder().add("type", "joined").add("room", room)
                .add("members", Json.createArrayBuilder(users)).add("history", Json.createArrayBuilder())
                .add("epoch", "peer");
        if (ref != null) {
            joined.add("ref", ref);
        }
        session.getAsyncRemote().sendText(joined.build().toString());
    }

    @OnMessage
    public void message(Session session, String text) {
        JsonObject f;
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            f = r.readObject();
        } catch (RuntimeException e) {
            session.getAsyncRemote().sendText("{\"type\":\"error\",\"code\":\"bad_json\"}");
            return;
        }
        String type = f.getString("type", "");
        String room = f.getString("room", "");
        String ref = f.getString("ref", null);
        if ("join".equals(type)) {
            join(session, room, ref);
        } else if ("message".equals(type)) {
            Set<Session> members = ROOMS.get(room);
            if (members == null || !members.contains(session)) {
                session.getAsyncRemote().sendText("{\"type\":\"error\",\"code\":\"not_member\"}");
                return;
            }
            long seq = SEQS.computeIfAbsent(room, r -> new AtomicLong()).incrementAndGet();
            var out = Json.createObjectBuilder().add("type", "message").add("room", room).add("seq", seq)
                    .add("from", user).add("text", f.getString("text", "")).add("ts", Instant.now().toString());
            if (ref != null) {
                out.add("ref", ref);
            }
            String frame = out.build().toString();
            for (Session m : members) {
                m.getAsyncRemote().sendText(frame);
            }
            var ack = Json.createObjectBuilder().add("type", "ack").add("room", room).add("seq", seq);
            if (ref != null) {
                ack.add("ref", ref);
            }
            session.getAsyncRemote().sendText(ack.build().toString());
        }
    }

    @OnClose
    public void close(Session session, CloseReason reason) {
        ROOMS.forEach((room, members) -> {
            if (members.remove(session)) {
                String presence = Json.createObjectBuilder().add("type", "presence").add("room", room)
                        .add("user", user).add("event", "leave").build().toString();
                for (Session m : members) {
                    m.getAsyncRemote().sendText(presence);
                }
            }
        });
    }
}
