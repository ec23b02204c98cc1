#!/usr/bin/env python3
"""Connected speech from espeak-ng, with every word's start and end taken from espeak-ng itself.

The text (stdin, UTF-8; its lines, sentences, joined by spaces) is synthesized as ONE
utterance by libespeak-ng.so.1 in AUDIO_OUTPUT_SYNCHRONOUS mode, with word and phoneme events
(espeakINITIALIZE_PHONEME_EVENTS). One utterance per process: the library keeps state from one
espeak_Synth call to the next (a second sentence comes out different from what the espeak-ng
command line makes of it). Python 3 standard library only: ctypes on the shared library, no
headers. An event's `sample` is how many samples the synthesizer had written when its command
queue reached the event, so events are exact places in the audio; the rules below say which
event is a word's start and which its end.

  start   the word's WORD event. After silence (a pause, or the text's start) the word starts
          at its first phoneme event instead: the silence espeak-ng puts before a stop after a
          pause (its "prepause", the closure, up to 55 ms) is not heard and belongs to no word.
  end     where the word's last non-pause phoneme ends: the sample of the next event after
          that phoneme (the next word's WORD event or first phoneme, or a pause phoneme);
          before a pause, less the digital silence (samples of 0) a phoneme ends with at times.

Two places need more than the events:

- Words that espeak-ng pronounces together ("I shall", "of the", "in which", "not have":
  multi-word entries of its dictionary) get one WORD event. Each word alone is translated to
  phonemes (espeak_TextToPhonemes); every word but the last takes that many of the spoken
  phonemes (their consonants must match), the last the rest, so the later words start at a
  phoneme event. When the consonants do not match, this fails.
- Before a vowel, a nasal or liquid (and the glide espeak-ng puts between two vowels) is not
  synthesized at its own event: its sound is made as the start of the vowel, and espeak-ng
  moves that vowel's phoneme event to after it ("when a", "running up", "men are"). The
  boundary between the two words then lies somewhere between the earlier event (the WORD
  event, or the consonant's own phoneme event inside a group) and the vowel's event. Such a
  word gets `startWindowS` (the word before it `endWindowS`), the window's two ends; its start
  (the other's end) is the window's middle. Outside groups these windows are found from the
  audio alone (sound, not silence, between a WORD event and the word's first phoneme event),
  and that must agree with the phoneme names (sonorant before, vowel after), or this fails;
  inside groups from the phoneme names.

Checks (any failure exits non-zero, loudly):
- the audio equals what the espeak-ng command line makes of the same text (-a -v -s);
- where a word starts after silence, its start is within --tolerance-ms of the energy onset
  (the first |sample| above --level after the silence); where a word ends before silence, its
  end is within the tolerance of the energy offset. The spread seen is in `check`, with the
  onsets against the WORD events for comparison.

  espeak_word_events.py --voice en-us --speed 160 [--amplitude 70] [--wav OUT.wav]
                        [--tolerance-ms 30] [--level 64] < sentences.txt > words.json

Out (stdout, JSON): sampleRate, samples (how many), voice, speed, amplitude, espeak (the
library's version), text, words [{text, startS, endS[, startWindowS][, endWindowS]}] (seconds
from the first sample; a word is each whitespace-separated token with a letter or digit,
punctuation kept), check {...}. With --wav the audio, exactly as espeak-ng made it (mono
16-bit PCM at sampleRate).
"""

import argparse
import array
import ctypes
import json
import statistics
import subprocess
import sys
import wave

# speak_lib.h (espeak-ng 1.51)
AUDIO_OUTPUT_SYNCHRONOUS = 2
INITIALIZE_PHONEME_EVENTS = 0x0001
INITIALIZE_DONT_EXIT = 0x8000
EVENT_LIST_TERMINATED, EVENT_WORD, EVENT_SENTENCE, EVENT_PHONEME = 0, 1, 2, 7
PARAM_RATE, PARAM_VOLUME = 1, 2
POS_CHARACTER = 1
CHARS_UTF8, ENDPAUSE = 0x1, 0x1000  # ENDPAUSE: as the espeak-ng command line synthesizes
EE_OK = 0


class EventId(ctypes.Union):
    _fields_ = [('number', ctypes.c_int), ('name', ctypes.c_char_p), ('string', ctypes.c_char * 8)]


class Event(ctypes.Structure):
    _fields_ = [
        ('type', ctypes.c_int),  # espeak_EVENT_TYPE
        ('unique_identifier', ctypes.c_uint),
        ('text_position', ctypes.c_int),  # characters, 1-based
        ('length', ctypes.c_int),  # characters (WORD events)
        ('audio_position', ctypes.c_int),  # ms
        ('sample', ctypes.c_int),  # samples written before the event
        ('user_data', ctypes.c_void_p),
        ('id', EventId),  # PHONEME events: the phoneme's name in id.string
    ]


class Voice(ctypes.Structure):  # espeak_VOICE
    _fields_ = [
        ('name', ctypes.c_char_p), ('languages', ctypes.c_char_p), ('identifier', ctypes.c_char_p),
        ('gender', ctypes.c_ubyte), ('age', ctypes.c_ubyte), ('variant', ctypes.c_ubyte), ('xx1', ctypes.c_ubyte),
        ('score', ctypes.c_int), ('spare', ctypes.c_void_p),
    ]


# LP64 (x86-64, arm64): six 4-byte fields, the pointer at 24, the 8-byte union at 32.
if (ctypes.sizeof(Event), Event.user_data.offset, Event.id.offset) != (40, 24, 32):
    sys.exit('espeak_word_events: unexpected espeak_EVENT layout on this platform')

SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(Event))


def fail(message):
    sys.exit(f'espeak_word_events: {message}')


class Espeak:
    def __init__(self, voice, speed, amplitude):
        lib = ctypes.CDLL('libespeak-ng.so.1')
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_SetSynthCallback.argtypes = [SynthCallback]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByProperties.argtypes = [ctypes.POINTER(Voice)]
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_TextToPhonemes.argtypes = [ctypes.POINTER(ctypes.c_void_p), ctypes.c_int, ctypes.c_int]
        lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        self.lib = lib
        self.rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, None, INITIALIZE_PHONEME_EVENTS | INITIALIZE_DONT_EXIT)
        if self.rate <= 0:
            fail('espeak_Initialize failed')
        self.version = lib.espeak_Info(None).decode()
        self._callback = SynthCallback(self._collect)  # kept alive as long as the library holds it
        lib.espeak_SetSynthCallback(self._callback)
        # As the command line does: a voice name, else a language.
        if lib.espeak_SetVoiceByName(voice.encode()) != EE_OK:
            wanted = Voice(languages=voice.encode())
            if lib.espeak_SetVoiceByProperties(ctypes.byref(wanted)) != EE_OK:
                fail(f'espeak-ng has no voice {voice}')
        for parameter, value in ((PARAM_RATE, speed), (PARAM_VOLUME, amplitude)):
            if lib.espeak_SetParameter(parameter, value, 0) != EE_OK:
                fail(f'espeak_SetParameter({parameter}, {value}) failed')

    def _collect(self, wav, count, events):
        if wav and count > 0:
            self.samples.extend(wav[:count])
        i = 0
        while events[i].type != EVENT_LIST_TERMINATED:
            e = events[i]
            name = bytes(e.id.string[:4]).split(b'\0')[0].decode('utf-8', 'replace') if e.type == EVENT_PHONEME else None
            self.events.append({'type': e.type, 'position': e.text_position, 'length': e.length, 'sample': e.sample, 'name': name})
            i += 1
        return 0

    def speak(self, text):
        """The samples and the events of one utterance."""
        self.samples, self.events = array.array('h'), []
        data = text.encode('utf-8')
        if self.lib.espeak_Synth(data, len(data) + 1, 0, POS_CHARACTER, 0, CHARS_UTF8 | ENDPAUSE, None, None) != EE_OK:
            fail(f'espeak_Synth failed on: {text}')
        return self.samples, self.events

    def phonemes(self, word):
        """The names of the phonemes espeak-ng gives `word` on its own (stress marks left out)."""
        buffer = ctypes.create_string_buffer(word.encode('utf-8'))
        pointer = ctypes.c_void_p(ctypes.addressof(buffer))
        names = []
        while pointer.value:
            # phonememode: bits 8-23 the separator between phoneme names
            names += self.lib.espeak_TextToPhonemes(ctypes.byref(pointer), CHARS_UTF8, ord('_') << 8).decode().split('_')
        return [n for n in (n.strip("',%=") for n in names) if n]


# The phoneme names (espeak-ng's English mnemonics) the checks need: vowels contain one of
# these letters; the nasals, liquids and glides whose sound espeak-ng makes at the next vowel.
VOWEL_LETTERS = set('aeiouAEIOUV03@')
SONORANTS = {'m', 'n', 'N', 'l', 'r', 'r-', 'w', 'j', ';'}


def is_vowel(name):
    return any(ch in VOWEL_LETTERS for ch in name)


def is_pause(event):
    return event['type'] == EVENT_PHONEME and event['name'].startswith('_')


def word_tokens(text):
    """The tokens with a letter or digit (the reference's words, punctuation kept) as (first, end, token)."""
    out, start = [], None
    for i, ch in enumerate(text + ' '):
        if ch.isspace():
            if start is not None and any(c.isalnum() for c in text[start:i]):
                out.append((start, i, text[start:i]))
            start = None
        elif start is None:
            start = i
    return out


def loud(samples, start, end, level):
    return any(abs(x) > level for x in samples[start:end])


def units_of(text, events):
    """The WORD events in order, each with the phoneme events until the next WORD event or pause:
    [{'tokens': [token indices], 'marker': event index, 'phonemes': [event indices]}]."""
    tokens = word_tokens(text)
    units, current = [], None
    for k, e in enumerate(events):
        if e['type'] == EVENT_WORD and e['length'] == 0:
            current = None  # at a clause's end, before its pause (its position is not reliable)
        elif e['type'] == EVENT_WORD:
            at = e['position'] - 1
            owner = [i for i, (first, end, _) in enumerate(tokens) if first <= at < end]
            current = {'tokens': owner, 'marker': k, 'phonemes': []}
            units.append(current)
        elif e['type'] == EVENT_PHONEME and not is_pause(e):
            if current is None or not current['tokens']:
                fail(f'phoneme {e["name"]} at sample {e["sample"]} belongs to no word of: {text}')
            current['phonemes'].append(k)
        elif e['type'] == EVENT_PHONEME or e['type'] == EVENT_SENTENCE:
            current = None
    if any(not u['tokens'] for u in units):
        fail(f'a WORD event is in no word: {text}')
    # Tokens without a WORD event of their own are spoken with the token before them.
    starts = [u['tokens'][0] for u in units]
    if starts != sorted(set(starts)) or (starts and starts[0] != 0):
        fail(f'WORD events out of order ({starts}) in: {text}')
    for u, nxt in zip(units, starts[1:] + [len(tokens)]):
        u['tokens'] = list(range(u['tokens'][0], nxt))
        if not u['phonemes']:
            fail(f'no phonemes for {tokens[u["tokens"][0]][2]!r} in: {text}')
    return tokens, units


def consonants(names):
    return [n for n in names if not is_vowel(n)]


def allophone(name):
    """t for t, t# (a flap) and t2; d for d and d#."""
    return name.rstrip('#2')


LINKING = {';', 'r-'}  # what espeak-ng puts at a word's end before a vowel; never in a word alone


def split_group(espeak, text, group, spoken):
    """Where each word of a multi-word entry starts among its phonemes: every word but the last
    takes as many phonemes as it has on its own (and a linking phoneme after them), with the
    same consonants (vowels may be reduced); the last takes the rest, with its own consonants
    or all but an initial h ("not have": n 0 t a# v)."""
    alone = [espeak.phonemes(word.strip('"\'.,;:!?()')) for word in group]
    cuts = [0]
    for names in alone[:-1]:
        cut = cuts[-1] + len(names)
        cuts.append(cut + 1 if cut < len(spoken) and spoken[cut] in LINKING else cut)
    parts = [spoken[a:b] for a, b in zip(cuts, cuts[1:] + [len(spoken)])]
    same = lambda part, names: [allophone(n) for n in consonants(part) if n not in LINKING] == [allophone(n) for n in consonants(names)]  # noqa: E731
    last_fits = parts[-1] and (same(parts[-1], alone[-1]) or (alone[-1][:1] == ['h'] and same(['h'] + parts[-1], alone[-1])))
    if not last_fits or not all(same(p, a) for p, a in zip(parts[:-1], alone[:-1])):
        fail(f'cannot split "{" ".join(group)}" ({" ".join(spoken)}) into {" | ".join(" ".join(a) for a in alone)}: {text}')
    return cuts


def time_words(espeak, text, samples, events, level):
    """The words of the text: {text, start, end (samples)[, startWindow][, endWindow], marker
    (the WORD event's sample), after_silence, before_silence}, and the multi-word entries met."""
    tokens, units = units_of(text, events)
    words, groups = [], []
    for u in units:
        phonemes = u['phonemes']
        cuts = [0]
        if len(u['tokens']) > 1:
            groups.append(' '.join(tokens[i][2] for i in u['tokens']))
            cuts = split_group(espeak, text, [tokens[i][2] for i in u['tokens']], [events[k]['name'] for k in phonemes])
        for j, i in enumerate(u['tokens']):
            own = phonemes[cuts[j]:(cuts[j + 1] if j + 1 < len(cuts) else len(phonemes))]
            first = events[own[0]]
            before = [e for e in events[:own[0]] if e['type'] == EVENT_PHONEME]
            word = {'text': tokens[i][2], 'marker': events[u['marker']]['sample'], 'after_silence': j == 0 and (not before or is_pause(before[-1]))}
            if word['after_silence']:
                word['start'] = first['sample']  # not the WORD event: a prepause is silence too
                while word['start'] < len(samples) and samples[word['start']] == 0:
                    word['start'] += 1
            elif j == 0:
                word['start'] = word['marker']
                deferred = loud(samples, word['start'], first['sample'], level)
                expected = is_vowel(first['name']) and before[-1]['name'] in SONORANTS
                if deferred != expected:
                    fail(f'{word["text"]!r}: sound between its WORD event and its first phoneme ({before[-1]["name"]} {first["name"]}) is {deferred}, the phoneme names say {expected}: {text}')
                if deferred:
                    word['startWindow'] = (word['start'], first['sample'])
            else:
                word['start'] = first['sample']
                previous = events[phonemes[cuts[j] - 1]]
                if is_vowel(first['name']) and previous['name'] in SONORANTS:
                    word['startWindow'] = (previous['sample'], first['sample'])
            nxt = events[own[-1] + 1] if own[-1] + 1 < len(events) else None
            word['end'] = nxt['sample'] if nxt else len(samples)
            word['before_silence'] = nxt is None or not (nxt['type'] == EVENT_WORD or (nxt['type'] == EVENT_PHONEME and not is_pause(nxt)))
            if word['before_silence']:
                while word['end'] > word['start'] and samples[word['end'] - 1] == 0:  # digital silence ends a phoneme at times
                    word['end'] -= 1
            words.append(word)
    for word, nxt in zip(words, words[1:]):
        if 'startWindow' in nxt:
            lo, hi = nxt['startWindow']
            nxt['start'] = word['end'] = (lo + hi) // 2
            word['endWindow'] = nxt['startWindow']
        if word['end'] > nxt['start'] or word['start'] >= word['end']:
            fail(f'{word["text"]!r} ({word["start"]}-{word["end"]}) overlaps {nxt["text"]!r} ({nxt["start"]}) in: {text}')
    return words, groups


def energy_check(words, samples, level, silence_run):
    """Energy onset minus start for words after silence, end minus energy offset for words before silence (samples)."""
    onsets, offsets = [], []
    for i, word in enumerate(words):
        if word['after_silence']:
            # from the previous word's end: first a run of silence, then the first loud sample
            at = words[i - 1]['end'] if i > 0 else 0
            while at < word['start'] and loud(samples, at, at + silence_run, level):
                at += 1
            while at < len(samples) and abs(samples[at]) <= level:
                at += 1
            onsets.append((word['text'], at - word['start']))
        if word['before_silence']:
            at = words[i + 1]['start'] if i + 1 < len(words) else len(samples)
            while at > word['end'] and loud(samples, at - silence_run, at, level):
                at -= 1
            while at > 0 and abs(samples[at - 1]) <= level:
                at -= 1
            offsets.append((word['text'], word['end'] - at))
    return onsets, offsets


def cli_samples(text, args):
    wav = subprocess.run(['espeak-ng', '-a', str(args.amplitude), '-v', args.voice, '-s', str(args.speed), '--stdout', '--stdin'],
                         input=text.encode('utf-8'), capture_output=True, check=True).stdout
    at = wav.index(b'data') + 8
    return array.array('h', wav[at:at + (len(wav) - at) // 2 * 2])


def spread(values, rate):
    ms = sorted(1000 * v / rate for v in values)
    return {'n': len(ms), 'minMs': round(ms[0], 1), 'medianMs': round(statistics.median(ms), 1), 'maxMs': round(ms[-1], 1)} if ms else {'n': 0}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--voice', required=True)
    parser.add_argument('--speed', type=int, required=True)
    parser.add_argument('--amplitude', type=int, default=100)
    parser.add_argument('--wav')
    parser.add_argument('--tolerance-ms', type=float, default=30.0)
    parser.add_argument('--level', type=int, default=64, help='|sample| above this is sound (64: -54 dBFS)')
    args = parser.parse_args()
    text = ' '.join(line.strip() for line in sys.stdin.read().split('\n') if line.strip())
    espeak = Espeak(args.voice, args.speed, args.amplitude)
    rate = espeak.rate
    samples, events = espeak.speak(text)
    if cli_samples(text, args) != samples:
        fail('the library and the espeak-ng command line made different audio')
    words, groups = time_words(espeak, text, samples, events, args.level)  # after synthesis: espeak_TextToPhonemes must not disturb it
    onsets, offsets = energy_check(words, samples, args.level, rate // 100)
    tolerance = args.tolerance_ms * rate / 1000
    outside = [f'{t} {kind} {1000 * d / rate:+.1f} ms' for kind, pairs in (('onset', onsets), ('offset', offsets)) for t, d in pairs if abs(d) > tolerance]
    check = {
        'level': args.level,
        'toleranceMs': args.tolerance_ms,
        'cliIdentical': True,
        'onsetMinusStart': spread([d for _, d in onsets], rate),
        # the same onsets against the WORD events: the prepause before a stop is silence
        'onsetMinusWordEvent': spread([d + w['start'] - w['marker'] for (_, d), w in zip(onsets, [w for w in words if w['after_silence']])], rate),
        'endMinusOffset': spread([d for _, d in offsets], rate),
        'windowedBoundaries': spread([w['startWindow'][1] - w['startWindow'][0] for w in words if 'startWindow' in w], rate),
        'outside': outside,
        'multiWordEntries': groups,
    }
    if outside:
        print(json.dumps(check, indent=2), file=sys.stderr)
        fail(f'{len(outside)} word edges next to silence are more than {args.tolerance_ms} ms from the energy onset/offset')
    if args.wav:
        with wave.open(args.wav, 'wb') as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(samples.tobytes())
    seconds = lambda s: round(s / rate, 6)  # noqa: E731
    timed = []
    for w in words:
        item = {'text': w['text'], 'startS': seconds(w['start']), 'endS': seconds(w['end'])}
        for key in ('startWindow', 'endWindow'):
            if key in w:
                item[key + 'S'] = [seconds(w[key][0]), seconds(w[key][1])]
        timed.append(item)
    out = {'sampleRate': rate, 'samples': len(samples), 'voice': args.voice, 'speed': args.speed, 'amplitude': args.amplitude, 'espeak': espeak.version, 'text': text, 'words': timed, 'check': check}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write('\n')


if __name__ == '__main__':
    main()
