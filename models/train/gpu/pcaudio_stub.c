/* Stand-in for libpcaudio.so.0 (pcaudio 1.2), so that espeak-ng runs on a
 * machine without audio libraries (ALSA/PulseAudio). Hark only synthesises
 * to WAV files (-w), which never touches the audio device; these functions
 * report "no device" if anything asks for playback.
 * Build: gcc -shared -fPIC -O2 -Wl,-soname,libpcaudio.so.0 -o libpcaudio.so.0 pcaudio_stub.c */
#include <stddef.h>
#include <stdint.h>

struct audio_object;

struct audio_object *create_audio_device_object(const char *device, const char *application_name,
                                                const char *description)
{
	(void)device; (void)application_name; (void)description;
	return NULL;
}

int audio_object_open(struct audio_object *object, int format, uint32_t rate, uint8_t channels)
{
	(void)object; (void)format; (void)rate; (void)channels;
	return -1;
}

void audio_object_close(struct audio_object *object) { (void)object; }

void audio_object_destroy(struct audio_object *object) { (void)object; }

int audio_object_write(struct audio_object *object, const void *data, size_t bytes)
{
	(void)object; (void)data; (void)bytes;
	return -1;
}

int audio_object_drain(struct audio_object *object) { (void)object; return 0; }

int audio_object_flush(struct audio_object *object) { (void)object; return 0; }

const char *audio_object_strerror(struct audio_object *object, int error)
{
	(void)object; (void)error;
	return "no audio device (Hark pcaudio stub)";
}
