package dev.parley.history.jpa;

import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.SharedCacheMode;
import jakarta.persistence.ValidationMode;
import jakarta.persistence.spi.ClassTransformer;
import jakarta.persistence.spi.PersistenceProvider;
import jakarta.persistence.spi.PersistenceProviderResolverHolder;
import jakarta.persistence.spi.PersistenceUnitInfo;
import jakarta.persistence.spi.PersistenceUnitTransactionType;

import javax.sql.DataSource;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The history's persistence unit, described in code and handed to the Jakarta Persistence provider
 * through the standard container contract ({@link PersistenceProvider#createContainerEntityManagerFactory}).
 * There is no {@code persistence.xml}, so the application server never deploys the unit itself (with its own
 * default data source); the unit is RESOURCE_LOCAL over the pool Parley builds, and the same code runs on
 * EclipseLink (Payara, TomEE plume) and Hibernate (WildFly).
 */
final class HistoryUnit implements PersistenceUnitInfo {

    static final String NAME = "parley-history";

    private static final List<Class<?>> ENTITIES = List.of(
            StoreRow.class, CounterRow.class, RoomMessageRow.class, DirectMessageRow.class, RefRow.class,
            ConversationRow.class);

    /**
     * Provider hints, each ignored by the other providers: no bytecode weaving (there is no container
     * agent here), JDBC batch inserts for group commit, and no server platform lookups.
     */
    private static final Map<String, String> HINTS = Map.of(
            "eclipselink.weaving", "false",
            "eclipselink.target-server", "None",
            "eclipselink.jdbc.batch-writing", "JDBC",
            "eclipselink.jdbc.batch-writing.size", "500",
            "eclipselink.logging.level", "SEVERE", // database failures are logged by the store itself
            "hibernate.jdbc.batch_size", "500",
            "hibernate.order_inserts", "true",
            "hibernate.order_updates", "true");

    private final DataSource dataSource;
    private final ClassLoader loader = HistoryUnit.class.getClassLoader();
    private final Properties properties = new Properties();
    private final URL root = rootOf(HistoryUnit.class);

    private HistoryUnit(DataSource dataSource) {
        this.dataSource = dataSource;
        properties.putAll(HINTS);
    }

    /** Creates the entity manager factory of the first provider the platform offers. */
    static EntityManagerFactory open(DataSource dataSource) {
        List<PersistenceProvider> providers = new ArrayList<>(PersistenceProviderResolverHolder.getPersistenceProviderResolver()
                .getPersistenceProviders());
        // TomEE plume's resolver offers only OpenJPA, though EclipseLink is on its class path too.
        for (String known : List.of("org.eclipse.persistence.jpa.PersistenceProvider",
                "org.hibernate.jpa.HibernatePersistenceProvider")) {
            try {
                providers.add((PersistenceProvider) Class.forName(known, true, HistoryUnit.class.getClassLoader())
                        .getConstructor().newInstance());
            } catch (ReflectiveOperationException | LinkageError | ClassCastException absent) {
                // not on this server
            }
        }
        if (providers.isEmpty()) {
            throw new IllegalStateException("no Jakarta Persistence provider available");
        }
        HistoryUnit unit = new HistoryUnit(dataSource);
        return preferred(providers).createContainerEntityManagerFactory(unit, Map.copyOf(HINTS));
    }

    /**
     * EclipseLink or Hibernate when the platform has one, else the first provider: TomEE plume offers
     * only OpenJPA, which refuses entities that were not enhanced at build time (there is no weaving here).
     */
    static PersistenceProvider preferred(List<PersistenceProvider> providers) {
        for (String name : List.of("org.eclipse.persistence.", "org.hibernate.")) {
            for (PersistenceProvider p : providers) {
                if (p.getClass().getName().startsWith(name)) {
                    return p;
                }
            }
        }
        return providers.get(0);
    }

    @Override
    public String getPersistenceUnitName() {
        return NAME;
    }

    @Override
    public String getPersistenceProviderClassName() {
        return null;
    }

    @Override
    public PersistenceUnitTransactionType getTransactionType() {
        return PersistenceUnitTransactionType.RESOURCE_LOCAL;
    }

    @Override
    public DataSource getJtaDataSource() {
        return null;
    }

    @Override
    public DataSource getNonJtaDataSource() {
        return dataSource;
    }

    @Override
    public List<String> getMappingFileNames() {
        return List.of();
    }

    @Override
    public List<URL> getJarFileUrls() {
        return List.of();
    }

    @Override
    public URL getPersistenceUnitRootUrl() {
        return root;
    }

    /**
     * The folder or jar holding the entity classes, as providers expect it: a {@code file:} URL of a folder
     * ending in '/', or of a jar. (Payara's code source for WEB-INF/classes lacks the '/', which makes
     * EclipseLink open the folder as a zip file.)
     */
    private static URL rootOf(Class<?> type) {
        String resource = type.getName().replace('.', '/') + ".class";
        String url = String.valueOf(type.getClassLoader().getResource(resource));
        String base = url.substring(0, url.length() - resource.length());
        if (base.startsWith("jar:") && base.endsWith("!/")) {
            base = base.substring("jar:".length(), base.length() - 2);
        }
        try {
            return URI.create(base).toURL();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot locate the persistence unit root from " + url, e);
        }
    }

    @Override
    public List<String> getManagedClassNames() {
        return ENTITIES.stream().map(Class::getName).toList();
    }

    @Override
    public boolean excludeUnlistedClasses() {
        return true;
    }

    @Override
    public SharedCacheMode getSharedCacheMode() {
        // Another server may write the same rows: always read them from the database.
        return SharedCacheMode.NONE;
    }

    @Override
    public ValidationMode getValidationMode() {
        return ValidationMode.NONE;
    }

    @Override
    public Properties getProperties() {
        return properties;
    }

    @Override
    public String getPersistenceXMLSchemaVersion() {
        return "3.0";
    }

    @Override
    public ClassLoader getClassLoader() {
        return loader;
    }

    @Override
    public void addTransformer(ClassTransformer transformer) {
        // No weaving: entities are plain classes, which every provider supports.
    }

    @Override
    public ClassLoader getNewTempClassLoader() {
        return loader;
    }
}
