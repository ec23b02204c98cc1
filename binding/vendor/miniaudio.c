/* Compiles the decoders of miniaudio and stb_vorbis, the single-file libraries that
 * whisper.cpp v1.9.1 ships in examples/ (used there the same way by common-whisper.cpp).
 * They come from the pinned whisper.cpp tree at build time; nothing of them is committed. */
#include "miniaudio_config.h"

#define MINIAUDIO_IMPLEMENTATION
#include "miniaudio.h"

#undef STB_VORBIS_HEADER_ONLY
#include "stb_vorbis.c"
