package org.relais.identity;

import java.text.Normalizer;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Directory helpers: searchable name tokens, and the code lists names are checked against. */
final class Directory {
  /** ISO 3166-1 alpha-2 codes known to the JDK. */
  static final Set<String> COUNTRIES = Set.of(Locale.getISOCountries());
  static final Set<String> ZONES = ZoneId.getAvailableZoneIds();
  static final String[] LOCALES = {"fr", "en"};
  /** Sorts after every UTF-8 string with the same prefix, for ZRANGEBYLEX prefix scans. */
  static final String LEX_MAX = "\uDBFF\uDFFF";
  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  private static final Pattern SEPARATORS = Pattern.compile("[^\\p{L}\\p{N}]+");

  private Directory() {
  }

  /** Lower-case, accent-free words of a name: "Aminata Traoré" gives [aminata, traore]. */
  static List<String> tokens(String text) {
    String folded = MARKS.matcher(Normalizer.normalize(text, Normalizer.Form.NFD)).replaceAll("")
        .toLowerCase(Locale.ROOT);
    Set<String> tokens = new LinkedHashSet<>();
    for (String t : SEPARATORS.split(folded)) {
      if (!t.isEmpty()) {
        tokens.add(t);
      }
    }
    return new ArrayList<>(tokens);
  }

  /** Index entries of a user's name: {@code token:userId}. */
  static List<String> nameEntries(String userId, String displayName, String email) {
    List<String> entries = new ArrayList<>();
    Set<String> tokens = new LinkedHashSet<>(tokens(displayName));
    tokens.add(email.toLowerCase(Locale.ROOT));
    for (String t : tokens) {
      entries.add(t + ":" + userId);
    }
    return entries;
  }
}
