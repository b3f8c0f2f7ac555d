// LiveView painting and the split handle's mouse handling.
#include "live_view.h"

#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>

namespace stylize::ui {
namespace {
constexpr int kHandleGrab = 12;  // px either side of the handle that start a drag
}

LiveView::LiveView(QWidget* parent) : QWidget(parent)
{
    setMinimumSize(320, 180);
    setMouseTracking(true);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setFocusPolicy(Qt::StrongFocus);
    setAccessibleName(tr("Live view"));
}

void LiveView::setSplitPosition(double position)
{
    split_ = std::clamp(position, 0.0, 1.0);
    update();
}

void LiveView::showFrames(const QImage& stylized, const QImage& original)
{
    stylized_ = stylized;
    original_ = original;
    update();
}

void LiveView::showStats(const stylize::studio::LiveStats& stats)
{
    stats_ = stats;
    update();
}

void LiveView::setHudVisible(bool visible)
{
    hudVisible_ = visible;
    update();
}

void LiveView::setStatusText(const QString& text)
{
    status_ = text;
    update();
}

QRect LiveView::imageRect() const
{
    if (stylized_.isNull())
        return rect();
    QSize s = stylized_.size().scaled(size(), Qt::KeepAspectRatio);
    return QRect(QPoint((width() - s.width()) / 2, (height() - s.height()) / 2), s);
}

int LiveView::handleX() const
{
    const QRect r = imageRect();
    return r.left() + int(split_ * r.width());
}

void LiveView::paintEvent(QPaintEvent*)
{
    QPainter p(this);
    p.fillRect(rect(), QColor(18, 18, 20));
    const QRect target = imageRect();
    if (!stylized_.isNull()) {
        p.setRenderHint(QPainter::SmoothPixmapTransform);
        p.drawImage(target, stylized_);
        if (!original_.isNull() && split_ > 0.0) {
            // The original fills the part left of the handle, scaled onto the same rect.
            const int hx = handleX();
            const QRect left(target.left(), target.top(), hx - target.left(), target.height());
            p.save();
            p.setClipRect(left);
            p.drawImage(target, original_);
            p.restore();
            p.setPen(QPen(QColor(255, 255, 255, 220), 2));
            p.drawLine(hx, target.top(), hx, target.bottom());
            // A round grip in the middle of the handle.
            const QPoint c(hx, target.center().y());
            p.setBrush(QColor(255, 255, 255, 230));
            p.setPen(Qt::NoPen);
            p.drawEllipse(c, 14, 14);
            p.setPen(QPen(QColor(40, 40, 40), 2));
            p.drawLine(c + QPoint(-6, 0), c + QPoint(-2, -4));
            p.drawLine(c + QPoint(-6, 0), c + QPoint(-2, 4));
            p.drawLine(c + QPoint(6, 0), c + QPoint(2, -4));
            p.drawLine(c + QPoint(6, 0), c + QPoint(2, 4));
            QFont f = font();
            f.setBold(true);
            p.setFont(f);
            p.setPen(QColor(255, 255, 255, 200));
            if (hx - target.left() > 80)
                p.drawText(QRect(target.left() + 10, target.bottom() - 30, 120, 24), Qt::AlignLeft | Qt::AlignVCenter,
                           tr("Before"));
            if (target.right() - hx > 80)
                p.drawText(QRect(target.right() - 130, target.bottom() - 30, 120, 24),
                           Qt::AlignRight | Qt::AlignVCenter, tr("After"));
        }
    }
    if (hudVisible_ && !stylized_.isNull() && stats_.frameSize.isValid())
        paintHud(p, target);
    if (!status_.isEmpty()) {
        QFont f = font();
        f.setPointSizeF(f.pointSizeF() * 1.2);
        p.setFont(f);
        const QRect box = QRect(0, 0, std::min(width() - 40, 640), 0);
        QRect text = p.fontMetrics().boundingRect(box, Qt::TextWordWrap | Qt::AlignCenter, status_);
        text.moveCenter(rect().center());
        const QRect bubble = text.adjusted(-18, -12, 18, 12);
        p.setPen(Qt::NoPen);
        p.setBrush(QColor(0, 0, 0, 170));
        p.drawRoundedRect(bubble, 10, 10);
        p.setPen(Qt::white);
        p.drawText(text, Qt::TextWordWrap | Qt::AlignCenter, status_);
    }
}

void LiveView::paintHud(QPainter& p, const QRect& area)
{
    const QString lines = tr("%1 fps · %2 ms/frame\n%3 dropped\nbrush %4×%5 of %6×%7\n%8")
                              .arg(stats_.fps, 0, 'f', 1)
                              .arg(stats_.msPerFrame, 0, 'f', 0)
                              .arg(stats_.dropped)
                              .arg(stats_.processingSize.width())
                              .arg(stats_.processingSize.height())
                              .arg(stats_.frameSize.width())
                              .arg(stats_.frameSize.height())
                              .arg(stats_.device);
    QFont f = font();
    f.setPointSizeF(f.pointSizeF() * 0.9);
    f.setStyleHint(QFont::Monospace);
    p.setFont(f);
    QRect text = p.fontMetrics().boundingRect(QRect(0, 0, 400, 200), Qt::AlignLeft, lines);
    text.moveTopLeft(area.topLeft() + QPoint(14, 12));
    p.setPen(Qt::NoPen);
    p.setBrush(QColor(0, 0, 0, 150));
    p.drawRoundedRect(text.adjusted(-8, -6, 8, 6), 6, 6);
    p.setPen(QColor(235, 235, 235));
    p.drawText(text, Qt::AlignLeft, lines);
}

void LiveView::mousePressEvent(QMouseEvent* event)
{
    if (event->button() == Qt::LeftButton && !original_.isNull() &&
        std::abs(event->position().x() - handleX()) <= kHandleGrab) {
        dragging_ = true;
        event->accept();
        return;
    }
    QWidget::mousePressEvent(event);
}

void LiveView::mouseMoveEvent(QMouseEvent* event)
{
    const QRect r = imageRect();
    if (dragging_ && r.width() > 0) {
        setSplitPosition((event->position().x() - r.left()) / double(r.width()));
        emit splitMoved(split_);
        return;
    }
    const bool nearHandle = !original_.isNull() && std::abs(event->position().x() - handleX()) <= kHandleGrab;
    setCursor(nearHandle ? Qt::SplitHCursor : Qt::ArrowCursor);
}

void LiveView::mouseReleaseEvent(QMouseEvent* event)
{
    if (dragging_ && event->button() == Qt::LeftButton)
        dragging_ = false;
    QWidget::mouseReleaseEvent(event);
}

}  // namespace stylize::ui
