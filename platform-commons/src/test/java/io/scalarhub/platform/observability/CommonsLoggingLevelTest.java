package io.scalarhub.platform.observability;

import java.util.concurrent.atomic.AtomicInteger;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A message given to Commons Logging (Spring's and Spring Security's logging API) is rendered only when its level is
 * on in Logback (commons-logging.properties). Spring Security's per-request debug messages are objects whose
 * {@code toString()} formats every request matcher: with DEBUG off they must cost nothing but the level check.
 */
class CommonsLoggingLevelTest {

	static final String NAME = "io.scalarhub.test.commons-logging";

	final Logger logback = (Logger) LoggerFactory.getLogger(NAME);

	final ListAppender<ILoggingEvent> events = new ListAppender<>();

	@BeforeEach
	void capture() {
		this.events.start();
		this.logback.addAppender(this.events);
		this.logback.setAdditive(false);
	}

	@AfterEach
	void release() {
		this.logback.detachAppender(this.events);
		this.logback.setAdditive(true);
		this.logback.setLevel(null);
	}

	@Test
	void aDebugMessageIsNotRenderedWhenDebugIsOff() {
		this.logback.setLevel(Level.INFO);
		Log log = LogFactory.getLog(NAME);
		CountingMessage message = new CountingMessage("matching against /v1/**");

		log.debug(message);
		log.trace(message);
		log.debug(message, new IllegalStateException("with a cause"));

		assertThat(message.renderings.get()).isZero();
		assertThat(this.events.list).isEmpty();
		assertThat(log.isDebugEnabled()).isFalse();
	}

	@Test
	void aMessageIsRenderedOnceAndLoggedWhenItsLevelIsOn() {
		this.logback.setLevel(Level.DEBUG);
		Log log = LogFactory.getLog(NAME);
		CountingMessage message = new CountingMessage("matching against /v1/**");

		log.debug(message);

		assertThat(message.renderings.get()).isEqualTo(1);
		assertThat(this.events.list).singleElement().satisfies((event) -> {
			assertThat(event.getFormattedMessage()).isEqualTo("matching against /v1/**");
			assertThat(event.getLevel()).isEqualTo(Level.DEBUG);
			assertThat(event.getLoggerName()).isEqualTo(NAME);
		});
	}

	@Test
	void warningsAndErrorsKeepTheirCause() {
		this.logback.setLevel(Level.INFO);
		Log log = LogFactory.getLog(NAME);
		IllegalStateException cause = new IllegalStateException("broken");

		log.warn("a warning", cause);
		log.error("an error");

		assertThat(this.events.list).extracting(ILoggingEvent::getLevel).containsExactly(Level.WARN, Level.ERROR);
		assertThat(this.events.list.get(0).getThrowableProxy().getMessage()).isEqualTo("broken");
	}

	/** A message object like Spring's {@code LogMessage}: rendering it is the cost. */
	static final class CountingMessage {

		final String text;

		final AtomicInteger renderings = new AtomicInteger();

		CountingMessage(String text) {
			this.text = text;
		}

		@Override
		public String toString() {
			this.renderings.incrementAndGet();
			return this.text;
		}

	}

}
