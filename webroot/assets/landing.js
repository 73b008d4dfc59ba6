(function () {
  'use strict';
  var N = '\u00a0';
  var T = {
    en: {
      skip: 'Skip to content', langNav: 'Language',
      h1: 'Staying in touch across borders and languages',
      lead: 'Relais is a messaging and collaboration server for the Women, Peace and Security Focal Points Network: governments, UN agencies, regional organisations and civil-society networks in about a hundred countries, working in French and English.',
      checking: 'Checking the server…', ready: 'Server ready', down: 'Database unreachable', unreach: 'Server unreachable',
      statusLink: 'Server status', whatH: 'What it does',
      f1: 'Channels and direct messages, with history, presence and typing indicators.',
      f2: 'Shared calendars that work across time zones.',
      f3: 'Partnership requests between organisations; once accepted, they open a shared channel and calendar.',
      f4: 'Notifications pushed to the browser, even when the tab is closed.',
      slowH: 'Built for slow links',
      s1: 'Small pages, so a costly connection is not wasted.',
      s2: 'After a dropped connection it picks up where it left off, without losing messages.',
      secH: 'Security',
      k1: 'Once the server has acknowledged a message, it is not lost.',
      k2: 'Accounts are by invitation; strangers are kept out.',
      nowH: 'Where things stand',
      now: 'The foundation is running: sign-in, the directory of organisations and people, and the live connection. The full web client is coming.',
      docs: 'See README.md and docs/PROTOCOL.md in the source repository.',
      devH: 'For developers', d1: 'WebSocket endpoint on this host:', d2: 'First frame:', d3: 'Get tokens with a JSON body to:',
      foot: 'Relais is open-source software for the WPS Focal Points Network.'
    },
    fr: {
      skip: 'Aller au contenu', langNav: 'Langue',
      h1: 'Rester en contact par-delà les frontières et les langues',
      lead: 'Relais est un serveur de messagerie et de collaboration pour le Réseau des points focaux Femmes, paix et sécurité' + N + ': gouvernements, agences des Nations unies, organisations régionales et réseaux de la société civile dans une centaine de pays, en français et en anglais.',
      checking: 'Vérification du serveur…', ready: 'Serveur prêt', down: 'Base de données injoignable', unreach: 'Serveur injoignable',
      statusLink: 'État du serveur', whatH: 'Ce que fait Relais',
      f1: 'Canaux et messages directs, avec historique, présence et indication de saisie.',
      f2: 'Calendriers partagés qui tiennent compte des fuseaux horaires.',
      f3: 'Demandes de partenariat entre organisations' + N + '; une fois acceptées, elles ouvrent un canal et un calendrier partagés.',
      f4: 'Notifications envoyées au navigateur, même quand l’onglet est fermé.',
      slowH: 'Pensé pour les connexions lentes',
      s1: 'Des pages légères, pour ne pas gaspiller une connexion coûteuse.',
      s2: 'Après une coupure, la connexion reprend là où elle s’était arrêtée, sans perte de messages.',
      secH: 'Sécurité',
      k1: 'Un message confirmé par le serveur n’est pas perdu.',
      k2: 'Les comptes sont créés sur invitation' + N + '; les inconnus n’y ont pas accès.',
      nowH: 'État d’avancement',
      now: 'Les fondations sont en place' + N + ': l’identification, l’annuaire des organisations et des personnes, et la connexion en temps réel. Le client web complet est en préparation.',
      docs: 'Voir README.md et docs/PROTOCOL.md dans le dépôt des sources.',
      devH: 'Pour les développeuses et développeurs', d1: 'Point d’accès WebSocket sur ce serveur' + N + ':', d2: 'Première trame' + N + ':', d3: 'Obtenir les jetons avec un corps JSON envoyé à' + N + ':',
      foot: 'Relais est un logiciel libre pour le Réseau des points focaux Femmes, paix et sécurité.'
    }
  };
  var KEY = 'relais.lang';
  var lang;

  function $$(sel) { return document.querySelectorAll(sel); }

  function pick() {
    var saved = null;
    try { saved = localStorage.getItem(KEY); } catch (e) { /* storage blocked */ }
    if (T[saved]) return saved;
    var prefs = navigator.languages || [navigator.language || ''];
    for (var i = 0; i < prefs.length; i++) {
      var p = String(prefs[i]).toLowerCase();
      if (p.indexOf('fr') === 0) return 'fr';
      if (p.indexOf('en') === 0) return 'en';
    }
    return 'en';
  }

  function apply(l) {
    lang = l;
    var d = T[l], i, els;
    document.documentElement.lang = l;
    els = $$('[data-i18n]');
    for (i = 0; i < els.length; i++) els[i].textContent = d[els[i].getAttribute('data-i18n')];
    els = $$('[data-i18n-label]');
    for (i = 0; i < els.length; i++) els[i].setAttribute('aria-label', d[els[i].getAttribute('data-i18n-label')]);
    els = $$('[data-lang]');
    for (i = 0; i < els.length; i++) els[i].setAttribute('aria-pressed', String(els[i].getAttribute('data-lang') === l));
  }

  function health(key) {
    var el = document.getElementById('health');
    el.setAttribute('data-i18n', key);
    el.className = key === 'ready' ? 'ok' : 'bad';
    el.textContent = T[lang][key];
  }

  function init() {
    var nav = document.querySelector('.lang');
    nav.hidden = false;
    nav.addEventListener('click', function (e) {
      var l = e.target.getAttribute && e.target.getAttribute('data-lang');
      if (!T[l]) return;
      try { localStorage.setItem(KEY, l); } catch (err) { /* storage blocked */ }
      apply(l);
    });
    apply(pick());

    if (location.host) {
      document.getElementById('ws').textContent = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
      document.getElementById('login').textContent = 'POST ' + location.protocol + '//' + location.host + '/api/auth/login';
    }

    var x = new XMLHttpRequest();
    x.open('GET', 'health/ready');
    x.timeout = 20000;
    x.setRequestHeader('Accept', 'application/json');
    x.onload = function () { health(x.status === 200 ? 'ready' : x.status === 503 ? 'down' : 'unreach'); };
    x.onerror = x.ontimeout = function () { health('unreach'); };
    x.send();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', init);
  else init();
}());
