package org.relais.server;

import org.relais.identity.AuthService;
import org.relais.identity.IdentityService;
import org.relais.calendar.CalendarService;
import org.relais.messaging.MessagingService;
import org.relais.realtime.Presence;
import org.relais.redis.RedisDb;

/** What every gateway instance shares: built once in the composition root, safe to use from any event loop. */
record Services(RelaisConfig config, RedisDb db, Dispatcher dispatcher, AuthService auth, IdentityService identity,
                MessagingService messaging, Presence presence, CalendarService calendars, Hub hub, Metrics metrics,
                Assets assets, HelloAdmission helloAdmission) {
}
