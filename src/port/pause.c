/* port_pause: C_Finalize's wait for calls of other threads to leave the
 * module, per platform. */
#include "port/port.h"

#if !IOT_DEVICE
#include <time.h>

void port_pause(void)
{
	struct timespec ts = { 0, 100000 };

	nanosleep(&ts, NULL);
}
#elif IOT_MUTEX == IOT_MUTEX_FREERTOS
#include "FreeRTOS.h"
#include "task.h"

void port_pause(void)
{
	vTaskDelay(1);
}
#else
/* One task, or threads the port does not know: nothing to wait with. */
void port_pause(void)
{
}
#endif
