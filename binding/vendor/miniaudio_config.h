/* The miniaudio build used by binding/audio_decoder.cc: decoders only (MP3 and FLAC are
 * built in, Vorbis comes from stb_vorbis). Included by both sides so that the structure
 * layouts agree. */
#pragma once

#define MA_NO_DEVICE_IO
#define MA_NO_THREADING
#define MA_NO_ENCODING
#define MA_NO_GENERATION
#define MA_NO_RESOURCE_MANAGER
#define MA_NO_NODE_GRAPH
#define MA_NO_ENGINE
/* WAV goes through wav-decoder in JS (src/audio/wav.ts). */
#define MA_NO_WAV

#define STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"
#include "miniaudio.h"
