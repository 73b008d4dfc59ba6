package org.relais.core;

import io.netty.util.NetUtil;

import java.util.Arrays;

/** Client addresses as budgets see them. */
public final class Addresses {

  private Addresses() {
  }

  /**
   * Whose budget an address spends: an IPv4 address its own, an IPv6 address its /64 (one subscriber usually
   * holds a whole /64), an IPv4-mapped IPv6 address that of its IPv4 address. Never a name lookup.
   */
  public static String budgetKey(String ip) {
    if (ip == null || ip.isEmpty()) {
      return "unknown";
    }
    // A literal only (brackets and a zone id allowed).
    byte[] address = NetUtil.createByteArrayFromIpAddressString(ip);
    if (address == null) {
      return ip.length() > 64 ? ip.substring(0, 64) : ip;
    }
    if (address.length == 16 && isIpv4Mapped(address)) {
      address = Arrays.copyOfRange(address, 12, 16);
    }
    if (address.length == 4) {
      return NetUtil.bytesToIpAddress(address);
    }
    byte[] prefix = Arrays.copyOf(Arrays.copyOf(address, 8), 16);
    return NetUtil.bytesToIpAddress(prefix) + "/64";
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
  }
}
