package org.relais.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The same world for every target: users 0..users-1 and logical rooms. One large room "big" (users 0..big-1),
 * small rooms "s0".."s{rooms-1}" of roomSize (room j: users j*roomSize ..), history rooms "h0".. (members: the
 * readers 0..readers-1, each room pre-loaded with histMessages), presence rooms "p0".. (watchers and churners from
 * presBase on).
 */
final class World {
  final int big;
  final int rooms;
  final int roomSize;
  final int histRooms;
  final int histMessages;
  final int readers;
  final int presRooms;
  final int presWatchers;
  final int presChurners;
  final int presBase;
  final int users;

  World(Sizes s) {
    big = s.i("big.members");
    rooms = s.i("rooms.count");
    roomSize = s.i("rooms.size");
    histRooms = s.i("history.rooms");
    histMessages = s.i("history.messages");
    readers = maxOf(s.ints("history.readers"));
    presRooms = s.i("presence.rooms");
    presWatchers = s.i("presence.watchers");
    presChurners = s.i("presence.churners");
    presBase = Math.max(Math.max(big, rooms * roomSize), readers);
    users = presBase + presRooms * (presWatchers + presChurners);
  }

  private static int maxOf(int[] a) {
    int m = 0;
    for (int x : a) {
      m = Math.max(m, x);
    }
    return m;
  }

  int presSize() {
    return presWatchers + presChurners;
  }

  /** Logical room names of user u. */
  List<String> roomsOf(int u) {
    List<String> r = new ArrayList<>(4);
    if (u < big) {
      r.add("big");
    }
    if (u < rooms * roomSize) {
      r.add("s" + (u / roomSize));
    }
    if (u < readers) {
      for (int h = 0; h < histRooms; h++) {
        r.add("h" + h);
      }
    }
    if (u >= presBase) {
      r.add("p" + ((u - presBase) / presSize()));
    }
    return r;
  }

  /** Members of a logical room. */
  List<Integer> members(String room) {
    List<Integer> m = new ArrayList<>();
    if (room.equals("big")) {
      for (int u = 0; u < big; u++) {
        m.add(u);
      }
    } else if (room.startsWith("s")) {
      int j = Integer.parseInt(room.substring(1));
      for (int u = j * roomSize; u < (j + 1) * roomSize; u++) {
        m.add(u);
      }
    } else if (room.startsWith("h")) {
      for (int u = 0; u < readers; u++) {
        m.add(u);
      }
    } else if (room.startsWith("p")) {
      int k = Integer.parseInt(room.substring(1));
      for (int u = presBase + k * presSize(); u < presBase + (k + 1) * presSize(); u++) {
        m.add(u);
      }
    }
    return m;
  }

  List<String> allRooms() {
    List<String> all = new ArrayList<>();
    if (big > 0) {
      all.add("big");
    }
    for (int j = 0; j < rooms; j++) {
      all.add("s" + j);
    }
    for (int h = 0; h < histRooms; h++) {
      all.add("h" + h);
    }
    for (int k = 0; k < presRooms; k++) {
      all.add("p" + k);
    }
    return all;
  }
}
