package org.relais.tests.calendar;

import io.vertx.core.json.JsonObject;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.relais.calendar.CalendarService;
import org.relais.calendar.CalendarSettings;
import org.relais.calendar.IcsFeed;
import org.relais.core.ErrorCode;
import org.relais.core.RelaisException;
import org.relais.identity.Org;
import org.relais.identity.User;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.relais.tests.calendar.CalendarFixture.await;
import static org.relais.tests.calendar.CalendarFixture.ids;
import static org.relais.tests.calendar.CalendarFixture.principal;

/** iCalendar feeds read back by an independent parser and by hand, and iCalendar import. */
class IcsTest {
  private static final String EVIL_TITLE = "Budget, plan; review\r\nATTENDEE:mailto:evil@example.org";
  private static final String LONG_DESCRIPTION = "Réunion des points focaux — ordre du jour : ".repeat(6)
      + "\nDeuxième ligne, avec virgule; et point-virgule. 会議";
  private static CalendarFixture f;
  private static User ingrid;
  private static User grace;
  private static Org org;

  /** Feeds reach back far enough for the fixed 2026 dates below, whenever the tests run. */
  static CalendarSettings longFeeds() {
    CalendarSettings d = CalendarSettings.defaults();
    return new CalendarSettings(d.maxRangeDays(), d.maxOccurrencesPerEvent(), d.maxOccurrencesPerList(), d.maxCount(),
        d.maxIcsBytes(), d.maxAttendees(), d.maxAudience(), d.defaultReminders(), d.reminderIntervalMs(),
        d.reminderBatch(), d.reminderLeaseMs(), 36_500, d.maxSuggestPeople(), d.maxSuggestDays());
  }

  @BeforeAll
  static void start() {
    f = CalendarFixture.start(longFeeds());
    org = f.org("Réseau");
    ingrid = f.user(org, "Ingrid", "Europe/Oslo");
    grace = f.user(org, "Grace", "America/New_York");
  }

  @AfterAll
  static void stop() {
    f.close();
  }

  private static String create(User user, JsonObject data) {
    return f.call(user, "event.create", data).getJsonObject("event").getString("id");
  }

  private static List<Component> events(net.fortuna.ical4j.model.Calendar cal) {
    return new ArrayList<>(cal.getComponents(Component.VEVENT));
  }

  private static String value(Component c, String property) {
    return c.getProperty(property).map(p -> ((Property) p).getValue()).orElse(null);
  }

  private static String param(Component c, String property, String parameter) {
    Optional<Property> p = c.getProperty(property);
    return p.flatMap(x -> x.getParameter(parameter)).map(x -> ((Parameter) x).getValue()).orElse(null);
  }

  private static Component byUid(List<Component> all, String uid, boolean occurrence) {
    return all.stream().filter(c -> uid.equals(value(c, Property.UID))
            && c.getProperty(Property.RECURRENCE_ID).isPresent() == occurrence)
        .findFirst().orElseThrow();
  }

  @Test
  @DisplayName("the personal feed is valid iCalendar: parsed back field by field, CRLF lines folded at 75 octets, text escaped, one SUMMARY for a title with CRLF")
  void feedReadsBack() throws Exception {
    User ingrid = f.user(org, "Ingrid Feed", "Europe/Oslo");
    String weekly = create(ingrid, new JsonObject().put("title", "Weekly call").put("start", "2026-03-02T09:00")
        .put("end", "2026-03-02T10:00").put("rrule", "FREQ=WEEKLY;COUNT=5").put("location", "Oslo, room 3")
        .put("onlineUrl", "https://meet.example.org/weekly?a=1;b=2").put("description", LONG_DESCRIPTION)
        .put("exdates", ids("2026-03-09T09:00")));
    f.call(ingrid, "event.update", new JsonObject().put("eventId", weekly).put("scope", "this")
        .put("recurrenceId", "2026-03-16T09:00").put("start", "2026-03-16T11:00").put("title", "Weekly call (moved)"));
    String day = create(ingrid, new JsonObject().put("title", "8 mars").put("allDay", true).put("start", "2026-03-08"));
    // Straight to the service, past the op schema that refuses control characters: the feed must hold anyway.
    String evil = await(f.calendars.createEvent(principal(ingrid), new JsonObject().put("title", EVIL_TITLE)
        .put("start", "2026-03-04T12:00").put("end", "2026-03-04T13:00"))).getJsonObject("event").getString("id");
    create(ingrid, new JsonObject().put("title", "With New York").put("start", "2026-03-05T09:00")
        .put("zone", "America/New_York").put("end", "2026-03-05T10:00"));

    JsonObject sub = f.call(ingrid, "calendar.feed", new JsonObject());
    assertThat(sub.getString("url")).isEqualTo("/ical/" + sub.getString("secret") + ".ics");
    assertThat(sub.getString("secret")).hasSizeGreaterThanOrEqualTo(43);
    IcsFeed feed = await(f.calendars.feed(sub.getString("secret")));
    String body = feed.body();

    // By hand: CRLF everywhere, no physical line above 75 octets, folds that unfold to one SUMMARY.
    assertThat(body).startsWith("BEGIN:VCALENDAR\r\n").endsWith("END:VCALENDAR\r\n");
    assertThat(body.replace("\r\n", "")).doesNotContain("\n").doesNotContain("\r");
    List<String> physical = List.of(body.split("\r\n"));
    assertThat(physical).allSatisfy(line ->
        assertThat(line.getBytes(StandardCharsets.UTF_8).length).as(line).isLessThanOrEqualTo(75));
    assertThat(physical).anyMatch(line -> line.startsWith(" ")).as("long lines are folded");
    List<String> logical = List.of(body.replace("\r\n ", "").split("\r\n"));
    assertThat(logical).filteredOn(l -> l.startsWith("SUMMARY:Budget")).singleElement()
        .isEqualTo("SUMMARY:Budget\\, plan\\; review\\nATTENDEE:mailto:evil@example.org");
    assertThat(logical).noneMatch(l -> l.startsWith("ATTENDEE"));
    assertThat(logical).contains("LOCATION:Oslo\\, room 3");

    // By an independent parser.
    net.fortuna.ical4j.model.Calendar cal = new CalendarBuilder().build(new StringReader(body));
    assertThat(cal.validate().hasErrors()).as(cal.validate().toString()).isFalse();
    List<Component> vevents = events(cal);
    assertThat(vevents).hasSize(5);
    List<String> zones = cal.getComponents(Component.VTIMEZONE).stream()
        .map(z -> value((Component) z, Property.TZID)).toList();
    assertThat(zones).containsExactlyInAnyOrder("America/New_York", "Europe/Oslo");

    Component master = byUid(vevents, weekly + "@relais", false);
    assertThat(value(master, Property.SUMMARY)).isEqualTo("Weekly call");
    assertThat(value(master, Property.DTSTART)).isEqualTo("20260302T090000");
    assertThat(param(master, Property.DTSTART, Parameter.TZID)).isEqualTo("Europe/Oslo");
    assertThat(value(master, Property.DTEND)).isEqualTo("20260302T100000");
    assertThat(value(master, Property.RRULE)).isEqualTo("FREQ=WEEKLY;COUNT=5");
    assertThat(value(master, Property.EXDATE)).isEqualTo("20260309T090000");
    assertThat(param(master, Property.EXDATE, Parameter.TZID)).isEqualTo("Europe/Oslo");
    assertThat(value(master, Property.LOCATION)).isEqualTo("Oslo, room 3");
    assertThat(value(master, Property.DESCRIPTION)).isEqualTo(LONG_DESCRIPTION);
    assertThat(value(master, Property.URL)).isEqualTo("https://meet.example.org/weekly?a=1;b=2");
    assertThat(value(master, Property.STATUS)).isEqualTo("CONFIRMED");
    assertThat(value(master, Property.SEQUENCE)).isEqualTo("1");

    Component moved = byUid(vevents, weekly + "@relais", true);
    assertThat(value(moved, Property.RECURRENCE_ID)).isEqualTo("20260316T090000");
    assertThat(param(moved, Property.RECURRENCE_ID, Parameter.TZID)).isEqualTo("Europe/Oslo");
    assertThat(value(moved, Property.DTSTART)).isEqualTo("20260316T110000");
    assertThat(value(moved, Property.SUMMARY)).isEqualTo("Weekly call (moved)");

    Component allDay = byUid(vevents, day + "@relais", false);
    assertThat(value(allDay, Property.DTSTART)).isEqualTo("20260308");
    assertThat(param(allDay, Property.DTSTART, Parameter.VALUE)).isEqualTo("DATE");
    assertThat(value(allDay, Property.DTEND)).isEqualTo("20260309");

    Component injected = byUid(vevents, evil + "@relais", false);
    assertThat(value(injected, Property.SUMMARY)).isEqualTo("Budget, plan; review\nATTENDEE:mailto:evil@example.org");
    assertThat(vevents).allSatisfy(v -> assertThat(v.getProperties(Property.ATTENDEE)).isEmpty());
  }

  @Test
  @DisplayName("the feed's ETag is stable while nothing changes and changes with the events; Last-Modified follows the latest change")
  void etag() {
    String id = create(grace, new JsonObject().put("title", "Stable").put("start", "2026-04-01T10:00")
        .put("end", "2026-04-01T11:00"));
    String secret = f.call(grace, "calendar.feed", new JsonObject()).getString("secret");
    IcsFeed first = await(f.calendars.feed(secret));
    IcsFeed again = await(f.calendars.feed(secret));
    assertThat(again.etag()).isEqualTo(first.etag()).startsWith("\"").endsWith("\"");
    assertThat(again.body()).isEqualTo(first.body());
    JsonObject updated = f.call(grace, "event.update", new JsonObject().put("eventId", id).put("title", "Changed"))
        .getJsonObject("event");
    IcsFeed after = await(f.calendars.feed(secret));
    assertThat(after.etag()).isNotEqualTo(first.etag());
    assertThat(after.lastModified().toString()).isEqualTo(java.time.Instant.parse(updated.getString("updatedAt"))
        .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
    assertThat(IcsFeed.CONTENT_TYPE).isEqualTo("text/calendar; charset=utf-8");
  }

  @Test
  @DisplayName("calling calendar.feed again returns the same secret; rotate replaces it and the old one stops working")
  void rotate() {
    String first = f.call(grace, "calendar.feed", new JsonObject()).getString("secret");
    assertThat(f.call(grace, "calendar.feed", new JsonObject()).getString("secret")).isEqualTo(first);
    String second = f.call(grace, "calendar.feed", new JsonObject().put("rotate", true)).getString("secret");
    assertThat(second).isNotEqualTo(first);
    assertThat(catchThrowableOfType(RelaisException.class, () -> await(f.calendars.feed(first))).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
    assertThat(await(f.calendars.feed(second)).body()).contains("BEGIN:VCALENDAR");
    assertThat(catchThrowableOfType(RelaisException.class, () -> await(f.calendars.feed("not-a-secret"))).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("a calendar's feed holds that calendar only, and stops when its owner loses access to it")
  void calendarFeed() {
    JsonObject channel = await(f.messaging.createChannel(principal(grace), new JsonObject().put("name", "Feeds")
        .put("kind", "thematic").put("visibility", "private").put("memberIds", ids(ingrid.id()))))
        .getJsonObject("channel");
    String cal = f.call(grace, "calendar.create", new JsonObject().put("channelId", channel.getString("id")))
        .getJsonObject("calendar").getString("id");
    create(grace, new JsonObject().put("calendarId", cal).put("title", "Channel event").put("start", "2026-04-02T10:00")
        .put("end", "2026-04-02T11:00"));
    JsonObject sub = f.call(ingrid, "calendar.feed", new JsonObject().put("calendarId", cal));
    assertThat(sub.getString("calendarId")).isEqualTo(cal);
    String body = await(f.calendars.feed(sub.getString("secret"))).body();
    assertThat(body).contains("SUMMARY:Channel event").doesNotContain("Weekly call");
    await(f.messaging.kick(principal(grace), channel.getString("id"), ingrid.id()));
    assertThat(catchThrowableOfType(RelaisException.class, () -> await(f.calendars.feed(sub.getString("secret"))))
        .code()).isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  @DisplayName("by default a feed leaves out series that ended more than 90 days ago")
  void feedWindow() {
    String old = create(grace, new JsonObject().put("title", "Long ago").put("start", "2020-01-06T10:00")
        .put("end", "2020-01-06T11:00"));
    String next = java.time.LocalDate.now().plusDays(10) + "T10:00";
    create(grace, new JsonObject().put("title", "Soon").put("start", next));
    CalendarService defaults = f.service(null, CalendarSettings.defaults());
    String secret = f.call(grace, "calendar.feed", new JsonObject()).getString("secret");
    String body = await(defaults.feed(secret)).body();
    assertThat(body).contains("SUMMARY:Soon").doesNotContain(old);
    assertThat(await(f.calendars.feed(secret)).body()).contains(old);
  }

  private static final String OUTLOOK = String.join("\r\n",
      "BEGIN:VCALENDAR", "PRODID:-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN", "VERSION:2.0",
      "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
      "BEGIN:STANDARD", "DTSTART:16011028T030000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10",
      "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD",
      "BEGIN:DAYLIGHT", "DTSTART:16010325T020000", "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3",
      "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT", "END:VTIMEZONE",
      "BEGIN:VEVENT", "UID:040000008200E00074C5B7101A82E008", "DTSTAMP:20260101T120000Z",
      "SUMMARY:Comité de pilotage\\, Genève", "DESCRIPTION:Ligne 1\\nLigne 2",
      "DTSTART;TZID=W. Europe Standard Time:20260323T090000", "DTEND;TZID=W. Europe Standard Time:20260323T103000",
      "RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO", "EXDATE;TZID=W. Europe Standard Time:20260330T090000",
      "LOCATION:Palais des Nations", "URL:https://meet.example.org/copil", "END:VEVENT",
      "BEGIN:VEVENT", "UID:040000008200E00074C5B7101A82E008", "DTSTAMP:20260101T120000Z",
      "RECURRENCE-ID;TZID=W. Europe Standard Time:20260406T090000", "SUMMARY:Changed occurrence",
      "DTSTART;TZID=W. Europe Standard Time:20260406T140000", "DTEND;TZID=W. Europe Standard Time:20260406T150000",
      "END:VEVENT", "END:VCALENDAR", "");

  @Test
  @DisplayName("import maps a Windows TZID to an IANA zone, keeps the rule and exception, and the series lands at the right instants")
  void importOutlook() {
    JsonObject event = f.call(ingrid, "event.import", new JsonObject().put("ics", OUTLOOK)).getJsonObject("event");
    assertThat(ZoneId.getAvailableZoneIds()).contains(event.getString("zone"));
    assertThat(event.getString("zone")).startsWith("Europe/");
    assertThat(event.getString("title")).isEqualTo("Comité de pilotage, Genève");
    assertThat(event.getString("description")).isEqualTo("Ligne 1\nLigne 2");
    assertThat(event.getString("uid")).isEqualTo("040000008200E00074C5B7101A82E008");
    assertThat(event.getString("onlineUrl")).isEqualTo("https://meet.example.org/copil");
    assertThat(event.getString("rrule")).isEqualTo("FREQ=WEEKLY;COUNT=3;BYDAY=MO");
    List<JsonObject> occurrences = f.call(ingrid, "event.list", new JsonObject().put("from", "2026-03-01")
            .put("to", "2026-04-30")).getJsonArray("occurrences").stream().map(o -> (JsonObject) o)
        .filter(o -> o.getString("eventId").equals(event.getString("id"))).toList();
    assertThat(occurrences).extracting(o -> o.getString("startUtc"))
        .containsExactly("2026-03-23T08:00:00Z", "2026-04-06T07:00:00Z");
    assertThat(occurrences).extracting(o -> o.getString("startViewer"))
        .containsExactly("2026-03-23T09:00:00+01:00", "2026-04-06T09:00:00+02:00");
  }

  @Test
  @DisplayName("import: UTC and floating times, all-day dates, a title with an escaped line break becomes one line")
  void importForms() {
    String ics = String.join("\r\n", "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x",
        "BEGIN:VEVENT", "UID:a", "DTSTAMP:20260101T000000Z", "DTSTART:20260702T130000Z", "DURATION:PT45M",
        "SUMMARY:Line one\\nATTENDEE:mailto:x@example.org", "END:VEVENT", "END:VCALENDAR", "");
    JsonObject utc = f.call(grace, "event.import", new JsonObject().put("ics", ics)).getJsonObject("event");
    assertThat(utc.getString("zone")).isEqualTo("America/New_York");
    assertThat(utc.getString("start")).isEqualTo("2026-07-02T09:00:00");
    assertThat(utc.getString("end")).isEqualTo("2026-07-02T09:45:00");
    assertThat(utc.getString("title")).isEqualTo("Line one ATTENDEE:mailto:x@example.org");

    // NUL, a lone surrogate and a bidi override are dropped from imported text, not stored (a lone surrogate was
    // stored as '?').
    String dirtyIcs = ics.replace("SUMMARY:Line one\\nATTENDEE:mailto:x@example.org",
        "SUMMARY:Ate\u0000lier\uD800 \u202Eok\r\nDESCRIPTION:a\uDC00b").replace("UID:a", "UID:dirty");
    JsonObject dirty = f.call(grace, "event.import", new JsonObject().put("ics", dirtyIcs)).getJsonObject("event");
    assertThat(dirty.getString("title")).isEqualTo("Atelier ok");
    assertThat(dirty.getString("description")).isEqualTo("ab");

    String floating = ics.replace("DTSTART:20260702T130000Z", "DTSTART:20260702T130000");
    JsonObject local = f.call(grace, "event.import", new JsonObject().put("ics", floating)).getJsonObject("event");
    assertThat(local.getString("start")).isEqualTo("2026-07-02T13:00:00");
    assertThat(local.getString("zone")).isEqualTo("America/New_York");

    String allDay = ics.replace("DTSTART:20260702T130000Z", "DTSTART;VALUE=DATE:20260714")
        .replace("DURATION:PT45M", "DTEND;VALUE=DATE:20260716");
    JsonObject days = f.call(grace, "event.import", new JsonObject().put("ics", allDay)).getJsonObject("event");
    assertThat(days.getBoolean("allDay")).isTrue();
    assertThat(days.getString("start")).isEqualTo("2026-07-14");
    assertThat(days.getString("end")).isEqualTo("2026-07-16");
  }

  @Test
  @DisplayName("import refuses what it cannot take (too large, not iCalendar, unknown zone, unsupported rule) and creates nothing")
  void importRefusals() {
    int before = f.call(grace, "event.list", new JsonObject().put("from", "2026-01-01").put("to", "2026-12-31"))
        .getJsonArray("occurrences").size();
    String huge = OUTLOOK.replace("DESCRIPTION:Ligne 1\\nLigne 2", "DESCRIPTION:" + "x".repeat(300 * 1024));
    assertThat(f.fail(grace, "event.import", new JsonObject().put("ics", huge)).code()).isEqualTo(ErrorCode.TOO_LARGE);
    assertThat(f.fail(grace, "event.import", new JsonObject().put("ics", "hello, world")).code())
        .isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(grace, "event.import", new JsonObject().put("ics",
        OUTLOOK.replace("W. Europe Standard Time:", "Atlantis/Lost City:"))).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    RelaisException rule = f.fail(grace, "event.import", new JsonObject().put("ics",
        OUTLOOK.replace("RRULE:FREQ=WEEKLY;COUNT=3;BYDAY=MO", "RRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=-1")));
    assertThat(rule.code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(rule.getMessage()).contains("BYSETPOS");
    assertThat(f.fail(grace, "event.import", new JsonObject().put("ics",
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nEND:VCALENDAR\r\n")).getMessage()).contains("no VEVENT");
    assertThat(f.call(grace, "event.list", new JsonObject().put("from", "2026-01-01").put("to", "2026-12-31"))
        .getJsonArray("occurrences").size()).isEqualTo(before);
  }

  @Test
  @DisplayName("the op's schema refuses a title with a line break before it reaches the service")
  void schemaRefusesControlCharacters() {
    assertThat(f.fail(ingrid, "event.create", new JsonObject().put("title", EVIL_TITLE)
        .put("start", "2026-03-04T12:00")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
    assertThat(f.fail(ingrid, "event.create", new JsonObject().put("title", "x").put("start", "2026-03-04T12:00")
        .put("onlineUrl", "http://insecure.example.org")).code()).isEqualTo(ErrorCode.BAD_REQUEST);
  }
}
