package dev.parley.wiring;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class NodeNoticeTest {

    @Test
    void theStartLineSaysSingleNodeAndNamesTheServer() {
        assertEquals("Parley: single node on Apache Tomcat (TomEE)/10.0.27 (9.0.0) (no cross-node delivery):"
                        + " messages reach only this instance's connections",
                NodeNotice.line("Apache Tomcat (TomEE)/10.0.27 (9.0.0)"));
    }

    @Test
    void anUnnamedServerIsCalledUnknown() {
        assertEquals("Parley: single node on an unknown server (no cross-node delivery):"
                + " messages reach only this instance's connections", NodeNotice.line(" "));
    }
}
